// Observability through the real server: after a known set of requests `/metrics` shows the right
// series and values, `/api/logs` returns one row per request and rejects bad parameters with a
// 400 naming them, and a WebSocket client on `/ws` sees `create` then `update` for a request.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { parsePrometheusText, total } from './support/prom-text.js';
import { chat, startObservedGateway, type ObservedGateway } from './support/gateway.js';
import { waitFor } from '../../support/wait.js';

let g: ObservedGateway;
before(async () => {
  g = await startObservedGateway({ client: { prometheus_labels: ['team'] } });
});
after(() => g.stop());

async function logs(query = ''): Promise<any> {
  const res = await fetch(`${g.url}/api/logs${query}`);
  assert.equal(res.status, 200, await res.clone().text());
  return res.json();
}

test('metrics and logs after a known set of requests', async () => {
  for (const words of ['one two three', 'four five', 'six']) {
    assert.equal((await chat(g.url, words, { headers: { 'x-bf-dim-team': 'search' } })).status, 200);
  }
  assert.equal((await chat(g.url, 'streaming please', { stream: true, headers: { 'x-bf-prom-team': 'legacy' } })).status, 200);
  g.upstream.failNext(1, 500);
  assert.equal((await chat(g.url, 'this one fails')).status, 500);

  const res = await fetch(`${g.url}/metrics`);
  assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
  const m = parsePrometheusText(await res.text());
  const route = { path: '/v1/chat/completions', method: 'POST' };
  assert.equal(total(m, 'http_requests_total', { ...route, status: '200' }), 4);
  assert.equal(total(m, 'http_requests_total', { ...route, status: '500' }), 1);
  assert.equal(total(m, 'http_requests_total', { ...route, team: 'search' }), 3);
  assert.equal(total(m, 'http_request_duration_seconds_count', route), 5);
  assert.equal(total(m, 'bifrost_upstream_requests_total', { provider: 'openai', model: 'gpt-4o-mini' }), 5);
  assert.equal(total(m, 'bifrost_success_requests_total', { method: 'chat_completion', team: 'search' }), 3);
  assert.equal(total(m, 'bifrost_success_requests_total', { method: 'chat_completion_stream', team: 'legacy' }), 1);
  assert.equal(total(m, 'bifrost_error_requests_total', { status_code: '500' }), 1);
  // prompt tokens = words of the user message (fake upstream); completion = 5 per answer
  assert.equal(total(m, 'bifrost_input_tokens_total', { team: 'search' }), 3 + 2 + 1);
  assert.equal(total(m, 'bifrost_output_tokens_total', { team: 'search' }), 15);
  assert.equal(total(m, 'bifrost_stream_first_token_latency_seconds_count'), 1);
  assert.ok(total(m, 'bifrost_stream_inter_token_latency_seconds_count') >= 1);
  assert.equal(total(m, 'bifrost_active_requests'), 0);
  assert.equal(total(m, 'bifrost_request_retries_count'), 5);

  const body = await waitFor(async () => {
    const b = await logs('?sort_by=timestamp&order=asc');
    return b.pagination.total_count === 5 && b.logs.every((l: any) => l.status !== 'processing') ? b : undefined;
  }, { message: '5 finished log rows' });
  assert.deepEqual(body.logs.map((l: any) => l.status), ['success', 'success', 'success', 'success', 'error']);
  assert.equal(body.logs[3].stream, true);
  // A stream's text is accumulated from its chunks (in the SQLite write thread) and searchable.
  assert.match(body.logs[3].output_message, /^echo: streaming please tok1( tok\d+)*$/);
  assert.deepEqual((await logs('?content_search=tok1')).logs.map((l: any) => l.id), [body.logs[3].id]);
  assert.equal(body.logs[4].error_details.status_code, 500);
  assert.equal(body.stats.total_requests, 5);
  assert.equal(body.stats.success_rate, 80);
  assert.deepEqual((await logs('?status=error')).logs.length, 1);
  assert.deepEqual((await logs('?content_search=FOUR')).logs.map((l: any) => l.input_history[0].content), ['four five']);
  assert.deepEqual(((await (await fetch(`${g.url}/api/logs/models`)).json()) as any).models, ['gpt-4o-mini']);
  assert.deepEqual(await (await fetch(`${g.url}/api/logs/dropped`)).json(), { dropped_requests: 0, content_dropped: 0, pending: 0, store_healthy: true });
});

test('bad /api/logs parameters are 400s naming the parameter', async () => {
  for (const [query, param] of [['limit=abc', 'limit'], ['limit=0', 'limit'], ['offset=-1', 'offset'], ['sort_by=size', 'sort_by'],
    ['order=up', 'order'], ['start_time=yesterday', 'start_time'], ['min_cost=cheap', 'min_cost'], ['status=done', 'status'],
    ['min_latency=10&max_latency=5', 'max_latency'], ['colour=red', 'colour']] as const) {
    const res = await fetch(`${g.url}/api/logs?${query}`);
    assert.equal(res.status, 400, query);
    const body = await res.json() as any;
    assert.equal(body.error.param, param, query);
    assert.match(body.error.message, new RegExp(param), query);
  }
});

test('a WebSocket client sees create then update for one request', async () => {
  const ws = new WebSocket(`${g.url.replace('http', 'ws')}/ws`, { origin: 'http://localhost:3000' });
  const messages: any[] = [];
  ws.on('message', (data) => messages.push(JSON.parse(String(data))));
  await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
  try {
    assert.equal((await chat(g.url, 'live please', { headers: { 'x-request-id': 'live-1' } })).status, 200);
    const mine = await waitFor(() => {
      const own = messages.filter((msg) => msg.payload?.id === 'live-1');
      return own.length >= 2 ? own : undefined;
    }, { message: 'create and update messages for live-1' });
    assert.deepEqual(mine.map((msg) => [msg.type, msg.operation, msg.payload.status]), [['log', 'create', 'processing'], ['log', 'update', 'success']]);
    assert.equal(mine[1].payload.token_usage.total_tokens, 7);
  } finally {
    ws.close();
  }
});

test('WebSocket origins are checked against client.allowed_origins', async () => {
  const tryOrigin = (origin: string): Promise<number> => new Promise((resolve, reject) => {
    const ws = new WebSocket(`${g.url.replace('http', 'ws')}/ws`, { origin });
    ws.once('open', () => { ws.close(); resolve(101); });
    ws.once('unexpected-response', (_req, res) => { resolve(res.statusCode ?? 0); ws.terminate(); });
    ws.once('error', (error) => { if (!String(error.message).includes('Unexpected server response')) reject(error); });
  });
  assert.equal(await tryOrigin('https://ui.example.com'), 101);
  assert.equal(await tryOrigin('http://127.0.0.1:5173'), 101);
  assert.equal(await tryOrigin('https://evil.example.net'), 403);
  const plain = await fetch(`${g.url}/ws`);
  assert.equal(plain.status, 426);
});

test('past logs_store.writer.write_queue_max_bytes of waiting text, rows are logged without their content', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bifrost-obs-bound-'));
  const small = await startObservedGateway({
    logsStore: { enabled: true, type: 'sqlite', config: { path: join(dir, 'logs.db') }, writer: { write_queue_max_bytes: 1 } },
  });
  t.after(async () => {
    await small.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  // One row's text passes a 1-byte bound: while it waits for its commit, the next rows come without content.
  for (let i = 0; i < 5; i += 1) assert.equal((await chat(small.url, `request ${i}`)).status, 200);
  const body = await waitFor(async () => {
    const b = await (await fetch(`${small.url}/api/logs?sort_by=timestamp&order=asc`)).json() as { logs: Array<{ status: string; input_history: unknown }> };
    return b.logs.length === 5 && b.logs.every((l) => l.status === 'success') ? b : undefined;
  }, { message: 'five finished log rows' });
  const stats = await (await fetch(`${small.url}/api/logs/dropped`)).json() as { dropped_requests: number; content_dropped: number };
  assert.equal(stats.dropped_requests, 0, 'every request keeps its row');
  const bare = body.logs.filter((l) => l.input_history === null || (Array.isArray(l.input_history) && l.input_history.length === 0));
  assert.ok(stats.content_dropped >= 1, `content was shed (${JSON.stringify(stats)})`);
  assert.equal(bare.length, stats.content_dropped, 'the rows counted are the rows without content');
  assert.equal(body.logs.filter((l) => Array.isArray(l.input_history) && l.input_history.length > 0).length, 5 - stats.content_dropped);
});

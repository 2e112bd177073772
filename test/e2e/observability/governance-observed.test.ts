// Governance seen through the observers, with the real server (startGateway) and a SQLite logs
// store: requests the governance plugin refuses in its pre-hook (400/402/403/429) never reach a
// provider, so `/metrics` does not count them as upstream requests (issue #20 d), and every log
// row carries the virtual key governance resolved, which `GET /api/logs?virtual_key_ids=` selects
// (issue #20 f), and an out-of-range numeric parameter of `/api/logs` is a 400 (issue #20 c).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openaiProvider, startStack, type Stack } from '../gateway/harness.js';
import { parsePrometheusText, total } from './support/prom-text.js';

const VK_MAIN = 'sk-bf-observed-main-0001';
const VK_LIMITED = 'sk-bf-observed-limited-01';
const VK_BROKE = 'sk-bf-observed-broke-0001';

const dir = mkdtempSync(join(tmpdir(), 'bifrost-gov-observed-'));
let stack: Stack;

const openaiOnly = [{ provider: 'openai', weight: 1, allowed_models: ['gpt-4o-mini'] }];

before(async () => {
  stack = await startStack({
    config: (origin) => ({
      providers: { openai: openaiProvider(origin) },
      plugins: [{ name: 'governance', enabled: true, config: { is_vk_mandatory: true } }],
      logs_store: { enabled: true, type: 'sqlite', config: { path: join(dir, 'logs.db') } },
      governance: {
        rate_limits: [{ id: 'one-a-day', request_max_limit: 1, request_reset_duration: '1d' }],
        budgets: [{ id: 'nothing-left', max_limit: 0, reset_duration: '1M' }],
        virtual_keys: [
          { id: 'vk-main', name: 'main key', value: VK_MAIN, provider_configs: openaiOnly },
          { id: 'vk-limited', name: 'limited key', value: VK_LIMITED, rate_limit_id: 'one-a-day', provider_configs: openaiOnly },
          { id: 'vk-broke', name: 'broke key', value: VK_BROKE, budget_id: 'nothing-left', provider_configs: openaiOnly },
        ],
      },
    }),
  });
});
after(async () => {
  await stack?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function chat(vk: string | undefined, model = 'openai/gpt-4o-mini'): Promise<{ status: number; type?: string }> {
  const res = await stack.post('/v1/chat/completions', JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    vk ? { 'x-bf-vk': vk } : {});
  const body = await res.json() as { error?: { type?: string } };
  return { status: res.status, ...(body.error?.type ? { type: body.error.type } : {}) };
}

test('requests governance refuses are not counted as upstream requests', async () => {
  assert.deepEqual(await chat(VK_MAIN), { status: 200 });
  assert.deepEqual(await chat(undefined), { status: 400, type: 'virtual_key_required' });
  assert.deepEqual(await chat('sk-bf-nobody-knows-this'), { status: 403, type: 'virtual_key_not_found' });
  assert.deepEqual(await chat(VK_MAIN, 'openai/gpt-4o'), { status: 403, type: 'model_blocked' });
  assert.deepEqual(await chat(VK_LIMITED), { status: 200 });
  assert.deepEqual(await chat(VK_LIMITED), { status: 429, type: 'request_limited' });
  assert.equal((await chat(VK_BROKE)).status, 402);
  assert.equal(stack.fake.requests.length, 2, 'only the two admitted requests reached the upstream');

  const m = parsePrometheusText(await (await fetch(`${stack.gw.url}/metrics`)).text());
  assert.equal(total(m, 'bifrost_upstream_requests_total'), 2);
  assert.equal(total(m, 'bifrost_success_requests_total'), 2);
  assert.equal(total(m, 'bifrost_error_requests_total'), 0);
  assert.equal(total(m, 'bifrost_upstream_latency_seconds_count'), 2);
  assert.equal(total(m, 'bifrost_request_retries_count'), 2);
  // The refusals are still visible, as HTTP requests.
  const route = { path: '/v1/chat/completions', method: 'POST' };
  for (const [status, count] of [['200', 2], ['400', 1], ['402', 1], ['403', 2], ['429', 1]] as const) {
    assert.equal(total(m, 'http_requests_total', { ...route, status }), count, `http_requests_total status=${status}`);
  }
  assert.equal(total(m, 'bifrost_active_requests'), 0);
});

interface Row { id: string; status: string; virtual_key_id: string | null; virtual_key_name: string | null; error_details: { status_code?: number } | null }

async function logs(query: string): Promise<{ logs: Row[]; pagination: { total_count: number } }> {
  const res = await fetch(`${stack.gw.url}/api/logs?sort_by=timestamp&order=asc${query}`);
  assert.equal(res.status, 200, await res.clone().text());
  return res.json() as Promise<{ logs: Row[]; pagination: { total_count: number } }>;
}

test('every log row carries the virtual key governance resolved, refusals included; virtual_key_ids selects by it', async () => {
  // The requests of the test above: 7 rows once all are written.
  let all: Row[] = [];
  for (let i = 0; i < 100; i++) {
    all = (await logs('')).logs;
    if (all.length === 7 && all.every((row) => row.status !== 'processing')) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // Sorted: requests answered within the same millisecond have no order between them.
  const summary = (rows: Row[]) => rows.map((row) => [row.virtual_key_id, row.virtual_key_name, row.error_details?.status_code ?? 200])
    .sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
  assert.deepEqual(summary(all), summary([
    ['vk-main', 'main key', 200], [null, null, 400], [null, null, 403], ['vk-main', 'main key', 403],
    ['vk-limited', 'limited key', 200], ['vk-limited', 'limited key', 429], ['vk-broke', 'broke key', 402],
  ].map(([id, name, status]) => ({ virtual_key_id: id, virtual_key_name: name, error_details: status === 200 ? null : { status_code: status } } as Row))));
  assert.deepEqual(summary((await logs('&virtual_key_ids=vk-limited')).logs), [['vk-limited', 'limited key', 200], ['vk-limited', 'limited key', 429]]);
  const two = await logs('&virtual_key_ids=vk-main,vk-broke');
  assert.equal(two.pagination.total_count, 3);
  assert.deepEqual(two.logs.map((row) => row.virtual_key_id).sort(), ['vk-broke', 'vk-main', 'vk-main']);
  assert.deepEqual((await logs('&virtual_key_ids=vk-main&status=success')).logs.map((row) => row.virtual_key_id), ['vk-main']);
  assert.equal((await logs('&virtual_key_ids=vk-nobody')).pagination.total_count, 0);
});

test('an out-of-range numeric parameter is a 400 naming it, not a 503 from the store', async () => {
  for (const [query, param] of [['offset=1e99', 'offset'], ['offset=9007199254740992', 'offset'], ['max_tokens=2147483648', 'max_tokens'], ['limit=1001', 'limit']] as const) {
    const res = await fetch(`${stack.gw.url}/api/logs?${query}`);
    assert.equal(res.status, 400, `${query}: ${await res.clone().text()}`);
    const body = await res.json() as { error: { param?: string; message: string } };
    assert.equal(body.error.param, param, query);
  }
});

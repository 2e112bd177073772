// Checks of the benchmark's own instruments, so a figure never rests on a broken tool: the mock
// speaks OpenAI's chat wire format (JSON and SSE, events flushed one by one), the pass-through
// forwards bodies and headers and does not buffer streams, the minimal gateway does the protocol's
// work (bare model upstream, extra_fields and x-bifrost-* headers back, events one by one), /proc
// readers see CPU (of a process and of its main thread alone) and memory, and the report computes
// paired ratios and added latency as documented. Run: `node --test bench/`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { startMockUpstream } from './mock-upstream.mjs';
import { startPassthrough } from './passthrough.mjs';
import { startMinimalGateway } from './minimal-gateway.mjs';
import { cpuTicks, machineTicks, memory, parseMachineTicks } from './lib/processes.mjs';
import { summarize } from './lib/report.mjs';
import { requestBody, requestBodyFor, CHAT_PATH, HISTORY_TURNS } from './lib/payloads.mjs';

/** POSTs and records when each body chunk arrived (ms since the request was sent). */
async function timedPost(url, body) {
  const t0 = performance.now();
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const arrivals = [];
  let text = '';
  const decoder = new TextDecoder();
  for await (const part of res.body) {
    arrivals.push(performance.now() - t0);
    text += decoder.decode(part, { stream: true });
  }
  return { status: res.status, headers: res.headers, text, arrivals };
}

/**
 * An upstream that records every request (method, url, auth, body text) and answers `reply` as JSON;
 * closed when the test ends.
 */
async function recordingUpstream(t, reply) {
  const seen = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (part) => { body += part; });
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, body });
      res.writeHead(200, { 'content-type': 'application/json' }).end(reply);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  return { seen, url: `http://127.0.0.1:${server.address().port}` };
}

/** Keeps one worker thread busy for `ms` while the calling thread only awaits its exit. */
async function spinInWorker(ms) {
  const busy = new Worker(`const end = Date.now() + ${ms}; while (Date.now() < end) Math.sqrt(Math.random());`, { eval: true });
  await once(busy, 'exit');
}

function dataEvents(text) {
  return text.split('\n\n').filter((e) => e.startsWith('data: ')).map((e) => e.slice(6));
}

test('the history mode asks the plain question after 40 earlier turns, about 26 KB in all', () => {
  const plain = JSON.parse(requestBodyFor('plain'));
  const history = JSON.parse(requestBodyFor('history'));
  assert.equal(history.messages.length, plain.messages.length + 2 * HISTORY_TURNS);
  assert.deepEqual(history.messages.at(-1), plain.messages.at(-1));
  assert.deepEqual({ ...history, messages: [] }, { ...plain, messages: [] });
  const bytes = Buffer.byteLength(requestBodyFor('history'));
  assert.ok(bytes > 20_000 && bytes < 32_000, `history body is ${bytes} bytes`);
});

test('mock answers a chat completion of realistic size and shape', async (t) => {
  const mock = await startMockUpstream({ port: 0 });
  t.after(() => mock.close());
  const res = await timedPost(`http://127.0.0.1:${mock.port}${CHAT_PATH}`, requestBody(false));
  assert.equal(res.status, 200);
  assert.ok(res.text.length > 1200 && res.text.length < 2000, `body is ${res.text.length} bytes`);
  const json = JSON.parse(res.text);
  assert.equal(json.object, 'chat.completion');
  assert.equal(json.choices[0].message.role, 'assistant');
  assert.equal(json.usage.total_tokens, json.usage.prompt_tokens + json.usage.completion_tokens);
});

test('mock streams 20 chunk events flushed one by one, then [DONE]; usage only when asked', async (t) => {
  const mock = await startMockUpstream({ port: 0, chunkGapMs: 2 });
  t.after(() => mock.close());
  const url = `http://127.0.0.1:${mock.port}${CHAT_PATH}`;
  const res = await timedPost(url, requestBody(true));
  assert.match(res.headers.get('content-type'), /^text\/event-stream/);
  const events = dataEvents(res.text);
  assert.equal(events.length, 21);
  assert.equal(events.at(-1), '[DONE]');
  const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
  assert.ok(chunks.every((c) => c.object === 'chat.completion.chunk' && c.choices.length === 1));
  assert.equal(chunks.at(-1).choices[0].finish_reason, 'stop');
  assert.ok(res.arrivals.length >= 10, `events arrived in ${res.arrivals.length} reads`);
  assert.ok(res.arrivals.at(-1) - res.arrivals[0] >= 19 * 2 * 0.9, 'events were spread over the gaps');

  const withUsage = await timedPost(url, JSON.stringify({ ...JSON.parse(requestBody(true)), stream_options: { include_usage: true } }));
  const last = dataEvents(withUsage.text).slice(-2);
  assert.equal(last[1], '[DONE]');
  assert.deepEqual(JSON.parse(last[0]).choices, []);
  assert.equal(JSON.parse(last[0]).usage.completion_tokens, 18);
});

test('pass-through forwards method, path, body and auth, and pipes SSE without buffering', async (t) => {
  const echo = await recordingUpstream(t, '{"ok":true}');
  const mock = await startMockUpstream({ port: 0, chunkGapMs: 2 });
  const viaEcho = await startPassthrough({ upstream: echo.url });
  const viaMock = await startPassthrough({ upstream: `http://127.0.0.1:${mock.port}` });
  t.after(async () => {
    await viaEcho.close();
    await viaMock.close();
    await mock.close();
  });

  const body = requestBody(false);
  const res = await fetch(`http://127.0.0.1:${viaEcho.port}/v1/chat/completions?x=1`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' }, body,
  });
  assert.deepEqual(await res.json(), { ok: true });
  assert.deepEqual(echo.seen, [{ method: 'POST', url: '/v1/chat/completions?x=1', auth: 'Bearer sk-test', body }]);

  const direct = await timedPost(`http://127.0.0.1:${mock.port}${CHAT_PATH}`, requestBody(true));
  const proxied = await timedPost(`http://127.0.0.1:${viaMock.port}${CHAT_PATH}`, requestBody(true));
  assert.equal(proxied.text, direct.text);
  assert.ok(proxied.arrivals.length >= 10, `proxied events arrived in ${proxied.arrivals.length} reads`);
  assert.ok(proxied.arrivals.at(-1) - proxied.arrivals[0] >= 19 * 2 * 0.9, 'proxied events were not held back');
});

test('minimal gateway answers with extra_fields and x-bifrost-* headers, per SSE event too; 400 on bad input', async (t) => {
  const mock = await startMockUpstream({ port: 0, chunkGapMs: 2 });
  const proxy = await startMinimalGateway({ upstream: `http://127.0.0.1:${mock.port}` });
  t.after(async () => {
    await proxy.close();
    await mock.close();
  });
  const url = `http://127.0.0.1:${proxy.port}${CHAT_PATH}`;
  const extra = { request_type: 'chat_completion', provider: 'openai', model_requested: 'gpt-4o-mini' };

  const plain = await timedPost(url, JSON.stringify({ ...JSON.parse(requestBody(false)), fallbacks: ['openai/gpt-4o'] }));
  assert.equal(plain.status, 200);
  const json = JSON.parse(plain.text);
  assert.equal(json.object, 'chat.completion');
  assert.deepEqual({ ...json.extra_fields, latency: undefined }, { ...extra, latency: undefined });
  assert.equal(plain.headers.get('x-bifrost-provider'), 'openai');
  assert.equal(plain.headers.get('x-bifrost-resolved-model'), 'gpt-4o-mini');
  assert.match(plain.headers.get('x-bifrost-request-id'), /^[0-9a-f-]{36}$/);

  const streamed = await timedPost(url, requestBody(true));
  const events = dataEvents(streamed.text);
  assert.equal(events.at(-1), '[DONE]');
  const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
  assert.equal(chunks.length, 20);
  assert.deepEqual(chunks.map((c) => c.extra_fields.chunk_index), [...Array(20).keys()]);
  assert.ok(streamed.arrivals.length >= 10, `events arrived in ${streamed.arrivals.length} reads`);

  const bad = await timedPost(url, '{"model": ');
  assert.equal(bad.status, 400);
  assert.match(JSON.parse(bad.text).error.message, /invalid JSON/);
  const unrouted = await timedPost(url, JSON.stringify({ model: 'gpt-4o-mini', messages: [] }));
  assert.equal(unrouted.status, 400);
});

test('minimal gateway forwards the bare model without fallbacks, and splices into an empty object', async (t) => {
  const upstream = await recordingUpstream(t, '{ }');
  const proxy = await startMinimalGateway({ upstream: upstream.url });
  t.after(() => proxy.close());
  const res = await timedPost(`http://127.0.0.1:${proxy.port}${CHAT_PATH}`,
    JSON.stringify({ model: 'openai/gpt-4o-mini', fallbacks: ['openai/gpt-4o'], messages: [], temperature: 0 }));
  assert.equal(res.status, 200);
  assert.deepEqual(upstream.seen.map(({ auth, body }) => ({ auth, body: JSON.parse(body) })),
    [{ auth: 'Bearer sk-bench-upstream-key', body: { model: 'gpt-4o-mini', messages: [], temperature: 0 } }]);
  assert.deepEqual(Object.keys(JSON.parse(res.text)), ['extra_fields']);
});

test('minimal gateway aborts the upstream stream of a caller that left (else the pool runs dry)', { timeout: 10_000 }, async (t) => {
  let upstreamClosed;
  const closed = new Promise((resolve) => { upstreamClosed = resolve; });
  const slow = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('data: {"object":"chat.completion.chunk","choices":[]}\n\n');
    res.on('close', () => upstreamClosed(res.writableFinished));
  });
  await new Promise((resolve) => slow.listen(0, '127.0.0.1', resolve));
  const proxy = await startMinimalGateway({ upstream: `http://127.0.0.1:${slow.address().port}` });
  t.after(async () => {
    await proxy.close();
    slow.closeAllConnections();
    await new Promise((resolve) => slow.close(resolve));
  });
  const caller = new AbortController();
  const res = await fetch(`http://127.0.0.1:${proxy.port}${CHAT_PATH}`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: requestBody(true), signal: caller.signal,
  });
  const reader = res.body.getReader();
  assert.match(new TextDecoder().decode((await reader.read()).value), /"chunk_index":0/);
  caller.abort();
  assert.equal(await closed, false, 'the upstream response was cut before it finished');
});

test('/proc readers see CPU time and resident memory of a process', () => {
  const before = cpuTicks(process.pid);
  const end = Date.now() + 120;
  while (Date.now() < end) Math.sqrt(Math.random());
  assert.ok(cpuTicks(process.pid) > before, 'utime+stime grew during a busy loop');
  const mem = memory(process.pid);
  assert.ok(mem.rssKb > 10_000 && mem.hwmKb >= mem.rssKb, JSON.stringify(mem));
  assert.equal(memory(2 ** 22 + 12345), undefined);
});

test('CPU of the main thread alone is read apart from the other threads of its process', async () => {
  const [loop0, all0] = [cpuTicks(process.pid, process.pid), cpuTicks(process.pid)];
  await spinInWorker(300); // this thread waits without spinning
  const [loop, all] = [cpuTicks(process.pid, process.pid) - loop0, cpuTicks(process.pid) - all0];
  assert.ok(all - loop >= 15, `the worker's 300 ms count for the process (${all} ticks) and not for the main thread (${loop})`);
});

test('the machine\'s busy and idle ticks come from /proc/stat\'s cpu line, and a busy thread adds to busy', async () => {
  const sample = 'cpu  10 1 20 300 4 5 6 7 0 0\ncpu0 5 0 10 150 2 2 3 3 0 0\nintr 1 2\n';
  assert.deepEqual(parseMachineTicks(sample), { busy: 10 + 1 + 20 + 5 + 6 + 7, idle: 300 + 4 });
  assert.throws(() => parseMachineTicks('intr 1 2\n'), /no "cpu " line/);
  const before = machineTicks();
  await spinInWorker(300);
  const after = machineTicks();
  assert.ok(after.busy - before.busy >= 15, `a thread spinning 300 ms shows as busy time (${after.busy - before.busy} ticks)`);
  assert.ok(after.idle >= before.idle);
});

test('report pairs repetitions for ratios and subtracts the concurrent direct call for added latency', () => {
  const rep = (rps, p50, directP50, cpu, loop = cpu) => ({
    throughput: { rps, non2xx: 0, errors: 0 },
    rate: { failed: 0, latencyUs: { p50, p99: p50 * 2 } },
    direct: { failed: 0, latencyUs: { p50: directP50, p99: directP50 * 2 } },
    cpuUsPerRequest: cpu, loopCpuUsPerRequest: loop, machineIdleShare: rps / 10_000, rssPeakKb: 100 * 1024, rssRatePeakKb: 110 * 1024,
  });
  const raw = {
    modes: {
      plain: {
        passthrough: [rep(1000, 500, 300, 50), rep(2000, 520, 300, 50), rep(1500, 510, 300, 50)],
        gateway: [rep(900, 700, 300, 80), rep(1000, 900, 400, 90), rep(1500, 800, 300, 70)],
        governance: [rep(800, 800, 300, 90), rep(1000, 900, 300, 90), rep(1400, 800, 300, 90)],
        observability: [rep(500, 800, 300, 200, 100), rep(600, 900, 300, 200, 100), rep(700, 800, 300, 200, 70)],
      },
    },
  };
  const s = summarize(raw).plain;
  assert.equal(s.gateway.rps, 1000);
  assert.equal(s.gateway.ratioVsPassthrough, 0.9); // ratios 0.9, 0.5, 1.0 → median 0.9
  assert.equal(s.gateway.addedP50Us, 500); // 400, 500, 500
  assert.equal(s.governance.ratioVsGateway, 0.9333333333333333); // 0.889, 1.0, 0.933
  assert.equal(s.observability.loopCpuUsPerRequest, 100);
  assert.equal(s.gateway.machineIdleShare, 0.1); // 0.09, 0.1, 0.15
  // Event loops 80/100, 90/100, 70/70 → median 0.9.
  assert.ok(Math.abs(s.observability.loopRatioVsGateway - 0.9) < 1e-9, String(s.observability.loopRatioVsGateway));
  assert.equal(s.gateway.loopRatioVsGateway, undefined);
  assert.equal(s.gateway.rssPeakMb, 100);
  assert.ok(s.gateway.checks.every((c) => c.ok));
  assert.ok(s.governance.checks.every((c) => c.ok));
});

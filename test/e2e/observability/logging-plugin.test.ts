// The logging plugin end to end on a real SQLite logs store: one row per request, create/update
// live events, content logging switched off globally / per virtual key / per request header, and
// 10,000 requests giving exactly 10,000 rows without the producer ever waiting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GatewayError } from '../../../src/core/index.js';
import { createLoggingPlugin, toApiLog, type LiveLogEvent } from '../../../src/plugins/logging/index.js';
import { openDatabase } from '../../../src/storage/database.js';
import { openLogsStore, type LogsStore } from '../../../src/storage/logs/index.js';
import { chatRequest, context, finished } from './support/events.js';

async function sqliteStore(t: { after: (fn: () => Promise<void> | void) => void }): Promise<LogsStore> {
  const dir = mkdtempSync(join(tmpdir(), 'bifrost-logplug-'));
  const database = openDatabase({ type: 'sqlite', config: { path: join(dir, 'logs.db') } });
  t.after(async () => { await database.close(); rmSync(dir, { recursive: true, force: true }); });
  return openLogsStore(database, { retentionDays: () => 365 });
}

const q = { limit: 100, offset: 0, sort_by: 'timestamp' as const, order: 'asc' as const };

test('a request yields a create then an update event and one finished row', async (t) => {
  const store = await sqliteStore(t);
  const plugin = createLoggingPlugin({ store, flushIntervalMs: 20 });
  t.after(() => plugin.close());
  const events: LiveLogEvent[] = [];
  plugin.subscribe((e) => events.push(e));
  const ctx = context('req-1', {}, [['governance', { vk: { id: 'vk-1', name: 'team-a-key' } }]]);
  const request = chatRequest('what is six times seven?');
  plugin.observe!({ type: 'request.start', request, ctx });
  plugin.observe!({ type: 'request.end', summary: finished(request, ctx) });
  await new Promise((resolve) => setImmediate(resolve)); // live events go out after the current work
  assert.deepEqual(events.map((e) => [e.operation, e.entry.status]), [['create', 'processing'], ['update', 'success']]);
  assert.ok(await plugin.flush());
  const { logs } = await store.search(q);
  assert.equal(logs.length, 1);
  const log = toApiLog(logs[0]!);
  assert.equal(log.id, 'req-1');
  assert.equal(log.object, 'chat.completion');
  assert.equal(log.virtual_key_id, 'vk-1');
  assert.equal(log.virtual_key_name, 'team-a-key');
  assert.deepEqual(log.token_usage, { prompt_tokens: 12, completion_tokens: 4, total_tokens: 16 });
  assert.deepEqual(log.input_history, [{ role: 'user', content: 'what is six times seven?' }]);
  assert.deepEqual(log.output_message, { role: 'assistant', content: 'the answer is 42' });
  assert.equal(log.selected_key_name, 'key-1');
});

test('the virtual key governance resolves after the start is on the finished row and on fallback rows', async (t) => {
  const store = await sqliteStore(t);
  const plugin = createLoggingPlugin({ store, flushIntervalMs: 20 });
  t.after(() => plugin.close());
  // As the engine runs it: request.start first, then governance's pre-hook fills the context.
  const ctx = context('req-vk');
  const request = chatRequest('hi', { fallbacks: [{ provider: 'groq', model: 'llama' }] });
  plugin.observe!({ type: 'request.start', request, ctx });
  assert.ok(await plugin.flush(), 'the processing row is written before the key is known');
  assert.equal((await store.search(q)).logs[0]?.virtual_key_id, null);
  ctx.values.set('governance', { vk: { id: 'vk-9', name: 'nine' } });
  plugin.observe!({ type: 'request.end', summary: finished(request, ctx, {
    servedBy: { provider: 'groq', model: 'llama', requestedModel: 'groq/llama', fallbackIndex: 1, keyName: 'g', attempts: 1, upstreamLatencyMs: 2 },
    failedTargets: [{ provider: 'openai', model: 'gpt-4o-mini', fallbackIndex: 0, latencyMs: 1,
      error: new GatewayError('down', { status: 503, type: 'upstream_error', isBifrostError: false }) }],
  }) });
  await new Promise((resolve) => setImmediate(resolve)); // fallback rows are logged after the current work
  assert.ok(await plugin.flush());
  const { logs } = await store.search(q);
  assert.equal(logs.length, 2, 'the primary\'s row and the fallback\'s');
  assert.deepEqual(logs.map((l) => [l.virtual_key_id, l.virtual_key_name]), [['vk-9', 'nine'], ['vk-9', 'nine']]);
});

test('a key governance resolved and then refused is on the row too', async (t) => {
  const store = await sqliteStore(t);
  const plugin = createLoggingPlugin({ store, flushIntervalMs: 20 });
  t.after(() => plugin.close());
  const ctx = context('req-refused');
  const request = chatRequest('hi');
  plugin.observe!({ type: 'request.start', request, ctx });
  ctx.values.set('governance.virtual_key', { id: 'vk-7', name: 'seven' });
  plugin.observe!({ type: 'request.end', summary: finished(request, ctx, { status: 'error', servedBy: undefined, usage: undefined, output: undefined,
    error: new GatewayError('request limit reached', { status: 429, type: 'request_limited' }) }) });
  assert.ok(await plugin.flush());
  const log = toApiLog((await store.search(q)).logs[0]!);
  assert.deepEqual([log.virtual_key_id, log.virtual_key_name, log.status], ['vk-7', 'seven', 'error']);
});

test('errors are logged with their details', async (t) => {
  const store = await sqliteStore(t);
  const plugin = createLoggingPlugin({ store, flushIntervalMs: 20 });
  t.after(() => plugin.close());
  const ctx = context('req-err');
  const request = chatRequest('hi');
  plugin.observe!({ type: 'request.start', request, ctx });
  plugin.observe!({ type: 'request.end', summary: finished(request, ctx, { status: 'error', usage: undefined, output: undefined,
    error: new GatewayError('upstream said no', { status: 429, type: 'rate_limited', isBifrostError: false }) }) });
  await plugin.flush();
  const log = toApiLog((await store.search(q)).logs[0]!);
  assert.equal(log.status, 'error');
  assert.deepEqual(log.error_details, { status_code: 429, is_bifrost_error: false, error: { type: 'rate_limited', message: 'upstream said no' } });
});

test('content logging off globally, per virtual key, or per request header keeps metadata only', async (t) => {
  const store = await sqliteStore(t);
  let globalOff = false;
  const plugin = createLoggingPlugin({ store, flushIntervalMs: 20, contentLoggingDisabled: () => globalOff });
  t.after(() => plugin.close());
  const run = (id: string, ctx = context(id)): void => {
    const request = chatRequest(`secret prompt ${id}`);
    plugin.observe!({ type: 'request.start', request, ctx });
    plugin.observe!({ type: 'request.end', summary: finished(request, ctx) });
  };
  run('on');
  run('header', context('header', { 'x-bf-disable-content-logging': 'true' }));
  run('vk', context('vk', {}, [['governance', { vk: { id: 'v', name: 'n', disable_content_logging: true } }]]));
  globalOff = true;
  run('global');
  await plugin.flush();
  const logs = new Map((await store.search(q)).logs.map((l) => [l.id, l]));
  assert.ok(logs.get('on')?.input_history?.includes('secret prompt on'));
  for (const id of ['header', 'vk', 'global']) {
    const l = logs.get(id)!;
    assert.equal(l.input_history, null, id);
    assert.equal(l.output_message, null, id);
    assert.equal(l.content_summary, null, id);
    assert.equal(l.total_tokens, 16, `${id}: metadata kept`);
  }
  assert.deepEqual((await store.search({ ...q, content_search: 'secret prompt' })).logs.map((l) => l.id), ['on']);
});

test('10,000 requests give exactly 10,000 rows; observe never waits', async (t) => {
  const store = await sqliteStore(t);
  const plugin = createLoggingPlugin({ store });
  t.after(() => plugin.close());
  const started = performance.now();
  for (let i = 0; i < 10_000; i += 1) {
    const ctx = context(`bulk-${i}`);
    const request = chatRequest(`message ${i}`);
    plugin.observe!({ type: 'request.start', request, ctx });
    plugin.observe!({ type: 'request.end', summary: finished(request, ctx) });
  }
  const enqueueMs = performance.now() - started;
  assert.ok(await plugin.flush(30_000), 'all rows flushed');
  assert.equal(await store.count(), 10_000);
  assert.equal(await store.count({ status: ['success'] }), 10_000);
  assert.equal(plugin.stats().dropped, 0);
  t.diagnostic(`observe() for 10,000 requests took ${enqueueMs.toFixed(0)} ms (${(enqueueMs / 10).toFixed(1)} µs/request)`);
});

// The request-log writer's batching settings (`logs_store.writer`): batches respect the row and
// byte limits, buffered rows are built only when their batch is taken (once, as their latest
// version), a row that cannot be built is counted as dropped; and the plugin does not read a
// response body inside `observe` unless a live subscriber needs the row at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cancellation, silentLogger, type RequestSummary } from '../../core/index.js';
import { createLoggingPlugin } from './plugin.js';
import { PendingRow, type RowSource } from './row.js';
import type { LogEntry, LogStore } from './types.js';
import { createLogWriter, rowSize } from './writer.js';
import { waitFor } from '../../../test/support/wait.js';

const entry = (id: string, text = ''): LogEntry => ({
  id, parent_request_id: null, timestamp: 1, object: 'chat.completion', provider: 'openai', model: 'm', status: 'success',
  latency: 1, prompt_tokens: null, completion_tokens: null, total_tokens: null, cost: null, stream: false,
  virtual_key_id: null, virtual_key_name: null, selected_key_name: null, fallback_index: null,
  input_history: text, output_message: null, error_details: null, content_summary: null,
});

function recordingStore(): LogStore & { batches: LogEntry[][] } {
  const batches: LogEntry[][] = [];
  return { batches, upsert: async (rows) => { batches.push([...rows]); } };
}

test('batches hold at most max_batch_size rows and about max_batch_bytes of text', async () => {
  const store = recordingStore();
  const writer = createLogWriter(store, { logger: silentLogger, maxBatch: 3, flushIntervalMs: 60_000 });
  for (let i = 0; i < 7; i += 1) writer.enqueue(entry(`r${i}`));
  assert.ok(await writer.flush());
  assert.deepEqual(store.batches.map((b) => b.length), [3, 3, 1]);
  await writer.close();

  const bytes = recordingStore();
  const big = createLogWriter(bytes, { logger: silentLogger, maxBatch: 100, maxBatchBytes: 2500, flushIntervalMs: 60_000 });
  for (let i = 0; i < 5; i += 1) big.enqueue(entry(`b${i}`, 'x'.repeat(1000)));
  assert.ok(await big.flush());
  // Each row counts 1,200 (text plus a flat 200): a batch closes once it reaches 2,500.
  assert.deepEqual(bytes.batches.map((b) => b.length), [3, 2]);
  await big.close();
});

test('buffered rows are built when written, once, as their latest version; an unbuildable row is dropped', async () => {
  const store = recordingStore();
  const writer = createLogWriter(store, { logger: silentLogger, flushIntervalMs: 60_000 });
  let builds = 0;
  let status: LogEntry['status'] = 'processing';
  const row: RowSource = { id: 'lazy', entry: () => { builds += 1; return { ...entry('lazy'), status }; } };
  writer.enqueue(row);
  status = 'success';
  writer.enqueue(row);
  writer.enqueue({ id: 'broken', entry: () => { throw new Error('cannot build'); } });
  assert.equal(builds, 0, 'nothing is built by enqueue');
  assert.ok(await writer.flush());
  assert.equal(builds, 1);
  assert.deepEqual(store.batches.flat().map((e) => [e.id, e.status]), [['lazy', 'success']]);
  assert.equal(writer.stats().dropped, 1);
  await writer.close();
});

test('a running request\'s row waits for the interval: one that ends sooner is written once, finished; a long one is written as processing', async () => {
  const store = recordingStore();
  const writer = createLogWriter(store, { logger: silentLogger, flushIntervalMs: 30 });
  const source = (id: string): RowSource & { ended: boolean } => {
    const row = { id, ended: false, entry: () => ({ ...entry(id), status: row.ended ? 'success' as const : 'processing' as const }) };
    return row;
  };
  const quick = source('quick');
  const long = source('long');
  writer.enqueue(quick);
  writer.enqueue(long);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(store.batches.length, 0, 'running rows are not written at once');
  quick.ended = true;
  writer.enqueue(quick);
  await waitFor(() => store.batches.flat().some((e) => e.id === 'long'), { timeoutMs: 5000, message: 'the long request\'s processing row to be written' });
  assert.deepEqual(store.batches.flat().map((e) => [e.id, e.status]), [['quick', 'success'], ['long', 'processing']]);
  long.ended = true;
  writer.enqueue(long);
  assert.ok(await writer.flush());
  assert.deepEqual(store.batches.flat().map((e) => [e.id, e.status]), [['quick', 'success'], ['long', 'processing'], ['long', 'success']]);
  await writer.close();
});

test('observe never reads the response body itself; it is read once, right after, for the row and any subscriber', async () => {
  const store = recordingStore();
  const plugin = createLoggingPlugin({ store, flushIntervalMs: 60_000 });
  const run = (id: string): { reads: () => number } => {
    const ctx = { requestId: id, cancellation: new Cancellation(), headers: {}, startedAt: 0, values: new Map() };
    const request = { requestType: 'chat_completion' as const, target: { provider: 'openai', model: 'm' }, fallbacks: [],
      body: { messages: [{ role: 'user', content: 'hi' }] }, stream: false };
    let reads = 0;
    const summary = {
      requestId: id, requestType: 'chat_completion', stream: false, requestedModel: 'openai/m', servedBy: undefined,
      status: 'success', error: undefined, usage: undefined, cost: undefined, latencyMs: 2, firstTokenMs: undefined,
      retries: 0, failedTargets: [], request, ctx,
      get output() { reads += 1; return { choices: [{ message: { role: 'assistant', content: 'hello' } }] }; },
    } as RequestSummary;
    plugin.observe!({ type: 'request.start', request, ctx });
    plugin.observe!({ type: 'request.end', summary });
    return { reads: () => reads };
  };
  const quiet = run('quiet');
  assert.equal(quiet.reads(), 0, 'not inside observe: the transport has not sent it yet');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(quiet.reads(), 1, 'the finished row is built right after the current work');
  const updates: string[] = [];
  const unsubscribe = plugin.subscribe((e) => { if (e.operation === 'update') updates.push(e.entry.output_message ?? ''); });
  const watched = run('watched');
  assert.equal(watched.reads(), 0, 'not even for a subscriber inside observe');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(watched.reads(), 1, 'a subscriber gets the finished row right after the current work');
  assert.deepEqual(updates, ['{"role":"assistant","content":"hello"}']);
  unsubscribe();
  assert.ok(await plugin.flush());
  assert.equal(quiet.reads(), 1, 'the row built early is the one written');
  assert.equal(watched.reads(), 1, 'the row built for the subscriber is the one written');
  assert.deepEqual(store.batches.flat().map((e) => [e.id, e.status, e.output_message]).sort(),
    [['quiet', 'success', '{"role":"assistant","content":"hello"}'], ['watched', 'success', '{"role":"assistant","content":"hello"}']]);
  await plugin.close();
});

test('once the rows held carry max bytes of text, new rows lose their content, in flight and in custody included', async () => {
  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => { open = resolve; });
  const slow: LogStore & { batches: LogEntry[][] } = {
    batches: [],
    async upsert(rows) {
      await gate;
      this.batches.push([...rows]);
    },
  };
  // Each row counts 1,200 (1,000 characters plus a flat 200): four stay under 5,000, a fifth passes it.
  const writer = createLogWriter(slow, { logger: silentLogger, maxBufferBytes: 5000, flushIntervalMs: 60_000 });
  for (let i = 0; i < 4; i += 1) writer.enqueue(entry(`a${i}`, 'x'.repeat(1000)));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(slow.batches.length, 0, 'the first batch is in flight, held by the store');
  for (let i = 0; i < 3; i += 1) writer.enqueue(entry(`b${i}`, 'x'.repeat(1000)));
  assert.deepEqual([writer.stats().dropped, writer.stats().contentDropped], [0, 2], 'rows in flight count: one more fits whole, two lose their content');
  open();
  assert.ok(await writer.flush());
  assert.deepEqual(slow.batches.flat().map((e) => [e.id, e.input_history?.length ?? null]),
    [['a0', 1000], ['a1', 1000], ['a2', 1000], ['a3', 1000], ['b0', 1000], ['b1', null], ['b2', null]]);
  writer.enqueue(entry('c0', 'x'.repeat(1000)));
  assert.ok(await writer.flush());
  assert.equal(slow.batches.flat().at(-1)!.input_history?.length, 1000, 'written rows free the bound');
  await writer.close();

  // A store with custody: taken rows count until it reports them settled.
  let handlers: Parameters<NonNullable<LogStore['custody']>>[0] | undefined;
  const taken: LogEntry[] = [];
  const keeper: LogStore = {
    upsert: async () => undefined,
    custody(h) {
      handlers = h;
      return { take: (rows) => { taken.push(...rows); return true; }, flush: async () => undefined };
    },
  };
  const warnings: string[] = [];
  const logger = { ...silentLogger, warn: (_obj: object, msg?: string) => { warnings.push(msg ?? ''); } };
  const kept = createLogWriter(keeper, { logger, maxBufferBytes: 5000, flushIntervalMs: 60_000 });
  for (let i = 0; i < 6; i += 1) kept.enqueue(entry(`k${i}`, 'x'.repeat(1000)));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(taken.length, 6);
  assert.equal(taken[5]!.input_history, null);
  kept.enqueue(entry('late', 'x'.repeat(1000)));
  assert.equal(kept.stats().contentDropped, 2, 'rows in custody count against the bound');
  handlers!.committed(3);
  kept.enqueue(entry('after', 'x'.repeat(1000)));
  assert.equal(kept.stats().contentDropped, 2, 'settled rows free the bound');
  assert.equal(warnings.length, 1, 'one warning for the episode, not one per row');
  kept.enqueue(entry('again1', 'x'.repeat(1000)));
  kept.enqueue(entry('again2', 'x'.repeat(1000)));
  assert.equal(kept.stats().contentDropped, 3);
  assert.equal(warnings.length, 2, 'a new episode is warned about again');
  assert.match(warnings[1]!, /without their content/);
  await kept.close();
});

test('a pending row is sized from the texts it will carry before it is built', () => {
  const ctx = { requestId: 'p', cancellation: new Cancellation(), headers: {}, startedAt: 0, values: new Map() };
  const rawBody = JSON.stringify({ model: 'openai/m', messages: [{ role: 'user', content: 'y'.repeat(30_000) }] });
  const request = { requestType: 'chat_completion' as const, target: { provider: 'openai', model: 'm' }, fallbacks: [],
    body: JSON.parse(rawBody) as Record<string, unknown>, rawBody, stream: false };
  const gov = { virtual_key_id: null, virtual_key_name: null, disable_content_logging: false, parent_request_id: null };
  const withContent = new PendingRow('p', 0, request, ctx, true, gov);
  assert.ok(withContent.size() >= rawBody.length, `size ${withContent.size()} counts the request text`);
  assert.ok(withContent.size() === rowSize(withContent.entry()), 'once built, the built row is measured');
  assert.ok(new PendingRow('q', 0, request, ctx, false, gov).size() < 1000, 'no content, no text counted');
  assert.equal(withContent.shedContent(), true);
  assert.equal(withContent.shedContent(), false, 'shed once');
  assert.ok(withContent.size() < 1000, 'a shed row carries no text');
  assert.equal(withContent.entry().raw, undefined);
});

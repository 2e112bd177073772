// The SQLite write thread: rows it writes (a create, then the finished row) are what a separate
// connection reads back, a failed write rejects instead of hanging, and only real files get one.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { openDatabase, type Database } from '../database.js';
import { waitFor } from '../../../test/support/wait.js';
import type { LogEntry } from '../../plugins/logging/types.js';
import { openLogsStore, type LogsStore } from './store.js';
import { sqliteFileOf, startWriteThread } from './write-thread.js';
import { createLogWriter } from '../../plugins/logging/writer.js';
import { silentLogger } from '../../core/index.js';

const entry = (id: string, over: Partial<LogEntry> = {}): LogEntry => ({
  id, parent_request_id: null, timestamp: Date.UTC(2026, 10, 24, 12), object: 'chat.completion',
  provider: 'openai', model: 'gpt-4o', status: 'processing', latency: null, prompt_tokens: null,
  completion_tokens: null, total_tokens: null, cost: null, stream: true, virtual_key_id: null,
  virtual_key_name: null, selected_key_name: null, fallback_index: null, input_history: '[{"role":"user","content":"hi"}]',
  output_message: null, error_details: null, content_summary: 'hi', ...over,
});

/** A logs store on a SQLite file in a temp dir, both removed after the test. */
async function logsFile(t: TestContext): Promise<{ dir: string; path: string; database: Database; store: LogsStore }> {
  const dir = mkdtempSync(join(tmpdir(), 'logs-thread-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'logs.db');
  const database = openDatabase({ type: 'sqlite', config: { path } });
  t.after(() => database.close());
  const store = await openLogsStore(database, { retentionDays: () => 0 });
  return { dir, path, database, store };
}

test('rows written by the thread are read back by another connection, updates replace the create', async (t) => {
  const { path, database, store } = await logsFile(t);
  assert.equal(sqliteFileOf(database.describe()), path, 'a file-backed store writes through the thread');

  const thread = startWriteThread(path);
  await thread.upsert(Array.from({ length: 500 }, (_, i) => entry(`r${i}`)));
  await thread.upsert([entry('r7', { status: 'success', latency: 12.5, total_tokens: 15, stream: false, output_message: '"yo"' })]);

  const reader = new BetterSqlite3(path, { readonly: true });
  t.after(() => reader.close());
  assert.equal((reader.prepare('select count(*) as n from logs').get() as { n: number }).n, 500);
  const r7 = reader.prepare('select status, latency, total_tokens, stream, output_message from logs where id = ?').get('r7');
  assert.deepEqual({ ...r7 as object }, { status: 'success', latency: 12.5, total_tokens: 15, stream: 0, output_message: '"yo"' });

  // The store's own writes take the same path and are visible to its queries at once.
  await store.upsert([entry('s1', { status: 'success', stream: false })]);
  const found = await store.search({ limit: 10, offset: 0, sort_by: 'timestamp', order: 'desc', status: ['success'] } as Parameters<typeof store.search>[0]);
  assert.deepEqual(found.logs.map((l) => [l.id, l.stream]).sort(), [['r7', false], ['s1', false]]);
});

test('a refused write rejects with the database error; a thread that cannot start reports itself broken', async (t) => {
  const { dir, path } = await logsFile(t);
  const thread = startWriteThread(path);
  await assert.rejects(thread.upsert([entry('x', { provider: null as unknown as string })]), /NOT NULL/);
  assert.equal(thread.broken, false, 'one failed write does not retire the thread');
  await thread.upsert([entry('y')]);

  const orphan = startWriteThread(join(dir, 'empty.db')); // no logs table: the worker cannot prepare
  await assert.rejects(orphan.upsert([entry('z')]), /no such table/);
  assert.equal(orphan.broken, true, 'the store then writes on its own connection');
});

test('an idle thread stops; the store then starts a new one with its next batch', async (t) => {
  const { path } = await logsFile(t);
  const thread = startWriteThread(path, { idleStopMs: 20 });
  await thread.upsert([entry('a')]);
  await waitFor(() => thread.stopped, { timeoutMs: 5000, message: 'the idle worker to stop' });
  assert.equal(thread.broken, false);
  await assert.rejects(thread.upsert([entry('b')]), /not running/);
});

test('a search under concurrent thread writes returns a page and totals of the same moment', async (t) => {
  const { store } = await logsFile(t);
  const query = { limit: 1000, offset: 0, sort_by: 'timestamp', order: 'desc' } as Parameters<typeof store.search>[0];
  let writing = true;
  const writes = (async () => {
    for (let b = 0; b < 40; b += 1) await store.upsert(Array.from({ length: 20 }, (_, i) => entry(`c${b}-${i}`)));
    writing = false;
  })();
  let checks = 0;
  while (writing) {
    const found = await store.search(query);
    assert.equal(found.logs.length, found.pagination.total_count, 'page and total disagree');
    checks += 1;
    await new Promise((resolve) => setImmediate(resolve)); // lets the thread's replies in
  }
  await writes;
  assert.ok(checks > 0);
});

test('rows taken over are committed in the thread; a refused row is lost alone, the rest are written', async (t) => {
  const { path } = await logsFile(t);
  const committed: number[] = [];
  const lost: number[] = [];
  const thread = startWriteThread(path, {
    commitMs: 60_000, commitRows: 1000,
    custody: { committed: (n) => committed.push(n), returned: () => assert.fail('nothing comes back'), lost: (n) => lost.push(n) },
  });
  assert.ok(thread.takeOver([entry('t1'), entry('bad', { provider: null as unknown as string }), entry('t2')]));
  assert.ok(thread.takeOver([entry('t3')]));
  await thread.flush();
  assert.deepEqual(committed, [3]);
  assert.deepEqual(lost, [1]);
  const reader = new BetterSqlite3(path, { readonly: true });
  t.after(() => reader.close());
  assert.deepEqual(reader.prepare('select id from logs order by id').all().map((r) => (r as { id: string }).id), ['t1', 't2', 't3']);
});

test('a thread that cannot start hands the rows it took over back, none counted as written or lost', async (t) => {
  const { dir } = await logsFile(t);
  const back: string[] = [];
  const orphan = startWriteThread(join(dir, 'empty.db'), { // no logs table: the worker cannot prepare
    custody: { committed: () => assert.fail('nothing is written'), returned: (rows) => back.push(...rows.map((r) => r.id)), lost: () => assert.fail('nothing is lost') },
  });
  assert.ok(orphan.takeOver([entry('a'), entry('b')]));
  await waitFor(() => back.length === 2, { message: 'the rows to come back from the broken thread' });
  assert.deepEqual(back, ['a', 'b']);
  assert.equal(orphan.broken, true);
  assert.equal(orphan.takeOver([entry('c')]), false, 'a broken thread takes no more');
});

test('rows the thread cannot write (the file is locked) come back to the writer, which writes them once it can', { timeout: 30_000 }, async (t) => {
  const { path, store } = await logsFile(t);
  const locker = new BetterSqlite3(path);
  t.after(() => locker.close());
  locker.exec('begin immediate'); // holds the write lock past the thread's busy timeout
  const writer = createLogWriter(store, { logger: silentLogger, flushIntervalMs: 20, maxBackoffMs: 200 });
  for (let i = 0; i < 50; i += 1) writer.enqueue(entry(`l${i}`, { status: 'success', latency: 1 }));
  await waitFor(() => !writer.stats().healthy, { timeoutMs: 20_000, message: 'the writer to see its rows come back from the locked file' });
  assert.equal(writer.stats().pending, 50, 'every row is buffered again, none lost');
  locker.exec('commit');
  assert.ok(await writer.flush(20_000), 'the buffered rows are written once the lock is gone');
  const { failedWrites, ...rest } = writer.stats();
  assert.ok(failedWrites >= 1, 'the locked commit counts as a failed write');
  assert.deepEqual(rest, { pending: 0, written: 50, dropped: 0, contentDropped: 0, healthy: true });
  assert.equal(await store.count(), 50);
  await writer.close();
});

test('only file-backed SQLite handles get a write thread', () => {
  assert.equal(sqliteFileOf('sqlite:/var/lib/bifrost/logs.db'), '/var/lib/bifrost/logs.db');
  assert.equal(sqliteFileOf('sqlite::memory:'), undefined);
  assert.equal(sqliteFileOf('postgres://db:5432/logs'), undefined);
});

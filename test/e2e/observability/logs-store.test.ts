// The logs store contract, run against both backends (SQLite file and a real PostgreSQL): upserts
// collapse create+update, every `/api/logs` filter selects exactly the right rows, sorting,
// pagination and stats are right, and retention removes old rows (whole partitions on PostgreSQL).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openDatabase, type Database } from '../../../src/storage/database.js';
import { openLogsStore, createLogsStore, listPartitions, partitionName, DAY_MS, type LogsStore, type LogQuery } from '../../../src/storage/logs/index.js';
import { startPostgres, type TestPostgres } from '../../support/postgres.js';
import { MAX_EPOCH_MS, MAX_LIMIT, MAX_TOKENS } from '../../../src/transports/http/logs/query-params.js';
import { row } from './support/log-rows.js';

const NOW = Date.UTC(2026, 10, 24, 12);
const T = (h: number): number => NOW - h * 3_600_000;

const ROWS = [
  row({ id: 'a', timestamp: T(5), provider: 'openai', model: 'gpt-4o', latency: 100, total_tokens: 15, cost: 0.001, content_summary: 'Hello World from alpha',
    virtual_key_id: 'vk-team-a', virtual_key_name: 'team a' }),
  row({ id: 'b', timestamp: T(4), provider: 'openai', model: 'gpt-4o-mini', latency: 250, total_tokens: 300, cost: 0.01, content_summary: 'bravo 100% sure',
    virtual_key_id: 'vk-team-b', virtual_key_name: 'team b' }),
  row({ id: 'c', timestamp: T(3), provider: 'anthropic', model: 'claude-3', status: 'error', latency: 40, total_tokens: null, prompt_tokens: null, completion_tokens: null, cost: null, error_details: '{"status_code":429}' }),
  row({ id: 'd', timestamp: T(2), provider: 'anthropic', model: 'claude-3', latency: 900, total_tokens: 1200, cost: 0.05, object: 'text.completion', stream: true,
    virtual_key_id: 'vk-team-a', virtual_key_name: 'team a' }),
  row({ id: 'e', timestamp: T(1), provider: 'mistral', model: 'mistral-large', status: 'processing', latency: null, total_tokens: null, prompt_tokens: null, completion_tokens: null, cost: null }),
];

const q = (over: Partial<LogQuery> = {}): LogQuery => ({ limit: 50, offset: 0, sort_by: 'timestamp', order: 'desc', ...over });

function contract(name: string, open: () => Promise<{ database: Database; cleanup: () => Promise<void> }>): void {
  describe(`logs store on ${name}`, () => {
    let database: Database;
    let store: LogsStore;
    let cleanup: () => Promise<void>;
    before(async () => {
      ({ database, cleanup } = await open());
      store = await openLogsStore(database, { retentionDays: () => 0, clock: { now: () => NOW, monotonic: () => 0 } });
      await store.preparePartitions(NOW - 40 * DAY_MS, NOW);
      // Write a "processing" version first, then the final rows: the update must win.
      await store.upsert(ROWS.map((r) => ({ ...r, status: 'processing' as const, latency: null })));
      await store.upsert(ROWS);
    });
    after(async () => {
      await database.close();
      await cleanup();
    });

    const ids = async (over: Partial<LogQuery>): Promise<string[]> => (await store.search(q(over))).logs.map((l) => l.id);

    test('create then update of a request is one row with the final values', async () => {
      assert.equal(await store.count(), 5);
      const b = (await store.search(q({ content_search: 'bravo' }))).logs[0]!;
      assert.equal(b.status, 'success');
      assert.equal(b.latency, 250);
      assert.equal(b.timestamp, T(4));
      assert.equal(typeof b.stream, 'boolean');
    });

    test('each filter selects exactly the matching rows', async () => {
      assert.deepEqual(await ids({ providers: ['anthropic'] }), ['d', 'c']);
      assert.deepEqual(await ids({ providers: ['openai', 'mistral'] }), ['e', 'b', 'a']);
      assert.deepEqual(await ids({ models: ['gpt-4o'] }), ['a']);
      assert.deepEqual(await ids({ status: ['error'] }), ['c']);
      assert.deepEqual(await ids({ status: ['success', 'processing'] }), ['e', 'd', 'b', 'a']);
      assert.deepEqual(await ids({ objects: ['text.completion'] }), ['d']);
      assert.deepEqual(await ids({ start_time: T(3), end_time: T(2) }), ['d', 'c']);
      assert.deepEqual(await ids({ min_latency: 100, max_latency: 250 }), ['b', 'a']);
      assert.deepEqual(await ids({ min_tokens: 16 }), ['d', 'b']);
      assert.deepEqual(await ids({ max_tokens: 300 }), ['b', 'a']);
      assert.deepEqual(await ids({ min_cost: 0.005, max_cost: 0.02 }), ['b']);
      assert.deepEqual(await ids({ content_search: 'hello world' }), ['a'], 'case-insensitive');
      assert.deepEqual(await ids({ content_search: '100%' }), ['b'], '% is literal');
      assert.deepEqual(await ids({ content_search: '_' }), [], '_ is literal');
      assert.deepEqual(await ids({ providers: ['openai'], min_latency: 200 }), ['b'], 'filters combine with AND');
      assert.deepEqual(await ids({ virtual_key_ids: ['vk-team-a'] }), ['d', 'a']);
      assert.deepEqual(await ids({ virtual_key_ids: ['vk-team-a', 'vk-team-b'] }), ['d', 'b', 'a']);
      assert.deepEqual(await ids({ virtual_key_ids: ['vk-team-a'], providers: ['anthropic'] }), ['d']);
      assert.deepEqual(await ids({ virtual_key_ids: ['nobody'] }), []);
      assert.equal((await store.search(q({ virtual_key_ids: ['vk-team-a'] }))).stats.total_requests, 2, 'stats follow the filter');
      const b = (await store.search(q({ virtual_key_ids: ['vk-team-b'] }))).logs[0]!;
      assert.deepEqual([b.virtual_key_id, b.virtual_key_name], ['vk-team-b', 'team b']);
    });

    test('sorting by each field, both orders, nulls last; pagination', async () => {
      assert.deepEqual(await ids({ sort_by: 'timestamp', order: 'asc' }), ['a', 'b', 'c', 'd', 'e']);
      assert.deepEqual(await ids({ sort_by: 'latency', order: 'desc' }), ['d', 'b', 'a', 'c', 'e']);
      assert.deepEqual(await ids({ sort_by: 'latency', order: 'asc' }), ['c', 'a', 'b', 'd', 'e']);
      assert.deepEqual((await ids({ sort_by: 'tokens', order: 'desc' })).slice(0, 3), ['d', 'b', 'a']);
      assert.deepEqual((await ids({ sort_by: 'cost', order: 'asc' })).slice(0, 3), ['a', 'b', 'd']);
      const page = await store.search(q({ limit: 2, offset: 2 }));
      assert.deepEqual(page.logs.map((l) => l.id), ['c', 'b']);
      assert.deepEqual(page.pagination, { limit: 2, offset: 2, sort_by: 'timestamp', order: 'desc', total_count: 5 });
    });

    test('stats cover every matching row, not just the page', async () => {
      const { stats } = await store.search(q({ limit: 1 }));
      assert.equal(stats.total_requests, 5);
      assert.equal(stats.success_rate, 75); // 3 successes of 4 completed
      assert.equal(stats.total_tokens, 15 + 300 + 1200);
      assert.ok(Math.abs(stats.total_cost - 0.061) < 1e-9);
      assert.ok(Math.abs(stats.average_latency - (100 + 250 + 40 + 900) / 4) < 1e-9);
      const none = await store.search(q({ providers: ['nobody'] }));
      assert.deepEqual(none.stats, { total_requests: 0, success_rate: 0, average_latency: 0, total_tokens: 0, total_cost: 0 });
    });

    test('the largest bounds /api/logs accepts are answered by the store, not refused', async () => {
      const page = await store.search(q({ offset: Number.MAX_SAFE_INTEGER, limit: MAX_LIMIT }));
      assert.deepEqual(page.logs, []);
      assert.equal(page.pagination.total_count, 5);
      assert.deepEqual(await ids({ min_tokens: MAX_TOKENS }), []);
      assert.deepEqual(await ids({ max_tokens: MAX_TOKENS, min_tokens: 0 }), ['d', 'b', 'a']);
      assert.deepEqual(await ids({ end_time: MAX_EPOCH_MS, start_time: 0, max_cost: 1e300, max_latency: 1e300, min_latency: 5e-324 }), ['d', 'b', 'a']);
      assert.deepEqual(await ids({ min_cost: 1e300 }), []);
    });

    test('distinct models', async () => {
      assert.deepEqual(await store.models(), ['claude-3', 'gpt-4o', 'gpt-4o-mini', 'mistral-large']);
    });

    test('rows left processing for over 5 minutes are closed as errors by maintenance', async () => {
      await store.upsert([row({ id: 'stale', timestamp: NOW - 6 * 60_000, status: 'processing', latency: null }),
        row({ id: 'fresh', timestamp: NOW - 60_000, status: 'processing', latency: null })]);
      await createLogsStore(database, { retentionDays: () => 0, clock: { now: () => NOW, monotonic: () => 0 } }).maintain();
      const byId = new Map((await store.search(q({ start_time: NOW - 10 * 60_000 }))).logs.map((l) => [l.id, l]));
      assert.equal(byId.get('stale')?.status, 'error');
      assert.match(byId.get('stale')?.error_details ?? '', /did not complete/);
      assert.equal(byId.get('fresh')?.status, 'processing');
      await database.db.deleteFrom('logs' as never).where('id' as never, 'in', ['stale', 'fresh'] as never).execute();
    });

    test('retention removes rows older than log_retention_days', async () => {
      const old = [row({ id: 'old1', timestamp: NOW - 35 * DAY_MS }), row({ id: 'old2', timestamp: NOW - 31 * DAY_MS })];
      await store.upsert(old);
      assert.equal(await store.count(), 7);
      const retained = createLogsStore(database, { retentionDays: () => 30, clock: { now: () => NOW, monotonic: () => 0 } });
      const result = await retained.maintain();
      assert.equal(await store.count(), 5);
      if (database.kind === 'postgres') {
        assert.ok(result.dropped.includes(partitionName(Math.floor((NOW - 35 * DAY_MS) / DAY_MS) * DAY_MS)), result.dropped.join(','));
        assert.equal(result.deleted, 0, 'whole partitions dropped, no row deletes');
        const left = await listPartitions(database.db);
        assert.ok(!left.includes(partitionName(Math.floor((NOW - 31 * DAY_MS) / DAY_MS) * DAY_MS)));
        assert.ok(left.includes(partitionName(Math.floor((NOW + 3 * DAY_MS) / DAY_MS) * DAY_MS)), 'partitions exist days ahead');
      } else {
        assert.equal(result.deleted, 2);
      }
    });

    if (name === 'PostgreSQL') {
      test('a row stored before its day had a partition moves into that partition when maintenance makes it', async () => {
        const later = NOW + 10 * DAY_MS;
        const day = partitionName(Math.floor(later / DAY_MS) * DAY_MS);
        assert.ok(!(await listPartitions(database.db)).includes(day), 'the day has no partition yet');
        await store.upsert([row({ id: 'early', timestamp: later, status: 'processing', latency: null })]);
        const inTable = async (table: string): Promise<number> =>
          Number((await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)} where id = 'early'`.execute(database.db)).rows[0]!.n);
        assert.equal(await inTable('logs_default'), 1, 'the row waits in the default partition');

        const dayBefore = createLogsStore(database, { retentionDays: () => 0, clock: { now: () => later - DAY_MS, monotonic: () => 0 } });
        await dayBefore.maintain();
        assert.ok((await listPartitions(database.db)).includes(day), 'maintenance made the partition');
        assert.equal(await inTable(day), 1, 'the row moved into its day');
        assert.equal(await inTable('logs_default'), 0);
        // The moved partition carries the table's key: the final version of the request replaces it.
        await store.upsert([row({ id: 'early', timestamp: later, status: 'success', latency: 12 })]);
        const found = (await store.search(q({ start_time: later - 1 }))).logs;
        assert.deepEqual(found.map((l) => [l.id, l.status, l.latency]), [['early', 'success', 12]]);
        await database.db.deleteFrom('logs' as never).where('id' as never, '=', 'early' as never).execute();
      });

      test('replicas starting together make the same partitions without tripping over each other', async () => {
        // Three stores on their own connection pools make 20 days of partitions at the same moment,
        // as three replicas on one database do at startup.
        const from = NOW + 200 * DAY_MS;
        const opened = [0, 1, 2].map(() => openDatabase({ type: 'postgres', config: pg!.config }));
        try {
          const stores = opened.map((db) => createLogsStore(db, { retentionDays: () => 0, clock: { now: () => from, monotonic: () => 0 } }));
          await Promise.all(stores.map((s) => s.preparePartitions(from, from + 20 * DAY_MS)));
          const made = await listPartitions(database.db);
          for (let day = from; day <= from + 20 * DAY_MS; day += DAY_MS) assert.ok(made.includes(partitionName(Math.floor(day / DAY_MS) * DAY_MS)));
        } finally {
          for (const db of opened) await db.close();
        }
      });
    }
  });
}

contract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bifrost-logs-'));
  const database = openDatabase({ type: 'sqlite', config: { path: join(dir, 'logs.db') } });
  return { database, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});

let pg: TestPostgres | undefined;
contract('PostgreSQL', async () => {
  pg = await startPostgres();
  const database = openDatabase({ type: 'postgres', config: pg.config });
  return { database, cleanup: async () => { await pg?.stop(); } };
});

// `/api/logs` filters at scale: LOGS_SCALE_ROWS synthetic rows (default 100,000; the reported
// figures use 1,000,000) bulk-inserted into SQLite and PostgreSQL, then each filter timed
// (median of 3, page + stats together as the API runs them) and its count checked against the
// generator's arithmetic.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openDatabase, type Database } from '../../../src/storage/database.js';
import { openLogsStore, type LogsStore, type LogQuery, type LogSearchResult } from '../../../src/storage/logs/index.js';
import { startPostgres, type TestPostgres } from '../../support/postgres.js';
import { bulkInsert } from './support/bulk-rows.js';

const ROWS = Number(process.env.LOGS_SCALE_ROWS ?? 100_000);
const END = Date.UTC(2026, 10, 24, 12);
const DAYS = 30;
const DAY = 86_400_000;

const CASES: Array<[string, Partial<LogQuery>, ((n: number) => number) | undefined]> = [
  ['no filter (newest 50 + stats)', {}, (n) => n],
  ['providers=anthropic', { providers: ['anthropic'] }, (n) => Math.floor((n - 2) / 4) + 1],
  ['status=error', { status: ['error'] }, (n) => Math.ceil(n / 20)],
  ['models=gpt-4o&status=error', { models: ['gpt-4o'], status: ['error'] }, undefined],
  ['last 24 h', { start_time: END - DAY, end_time: END }, undefined],
  ['providers=openai, last 24 h', { providers: ['openai'], start_time: END - DAY, end_time: END }, undefined],
  ['min_latency=4900 sort latency desc', { min_latency: 4900, sort_by: 'latency', order: 'desc' }, undefined],
  ['min_tokens=1990 sort tokens', { min_tokens: 1990, sort_by: 'tokens' }, undefined],
  ['min_cost=0.00399 sort cost', { min_cost: 0.00399, sort_by: 'cost' }, undefined],
  ['content_search=foxtrot golf', { content_search: 'foxtrot golf' }, undefined],
  ['offset=5000', { offset: 5000 }, (n) => n],
];

function suite(name: string, open: () => Promise<{ database: Database; cleanup: () => Promise<void> }>): void {
  describe(`${ROWS} rows on ${name}`, { timeout: 900_000 }, () => {
    let database: Database;
    let store: LogsStore;
    let cleanup: () => Promise<void>;
    before(async () => {
      ({ database, cleanup } = await open());
      store = await openLogsStore(database, { retentionDays: () => 0, clock: { now: () => END, monotonic: () => 0 } });
      await store.preparePartitions(END - (DAYS + 1) * DAY, END);
      const t0 = performance.now();
      const step = 250_000;
      for (let from = 0; from < ROWS; from += step) {
        await bulkInsert(database.db, database.kind, { from, to: Math.min(ROWS, from + step), endMs: END, days: DAYS });
      }
      if (database.kind === 'postgres') await sql.raw('analyze logs').execute(database.db);
      else await sql.raw('analyze').execute(database.db);
      console.log(`# ${name}: inserted ${ROWS} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    });
    after(async () => {
      await database.close();
      await cleanup();
    });

    test('each filter: correct count, timed', async (t) => {
      assert.equal(await store.count(), ROWS);
      const lines: string[] = [];
      for (const [label, filters, expected] of CASES) {
        const query: LogQuery = { limit: 50, offset: 0, sort_by: 'timestamp', order: 'desc', ...filters };
        const times: number[] = [];
        let result: LogSearchResult | undefined;
        for (let k = 0; k < 3; k += 1) {
          const t0 = performance.now();
          result = await store.search(query);
          times.push(performance.now() - t0);
        }
        times.sort((a, b) => a - b);
        const total = result!.pagination.total_count;
        if (expected) assert.equal(total, expected(ROWS), label);
        assert.ok(result!.logs.length <= 50);
        assert.ok(result!.logs.every((l) => (filters.providers ?? [l.provider]).includes(l.provider)), label);
        // every returned row satisfies the filter it was asked for
        if (filters.min_latency !== undefined) assert.ok(result!.logs.every((l) => (l.latency ?? 0) >= filters.min_latency!));
        if (filters.start_time !== undefined) assert.ok(result!.logs.every((l) => l.timestamp >= filters.start_time!));
        if (filters.content_search) assert.ok(result!.logs.every((l) => l.content_summary?.includes(filters.content_search!)));
        lines.push(`${label.padEnd(40)} ${times[1]!.toFixed(1).padStart(8)} ms  (${total} matching)`);
      }
      for (const line of lines) t.diagnostic(`${name}: ${line}`);
    });
  });
}

suite('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bifrost-scale-'));
  const database = openDatabase({ type: 'sqlite', config: { path: join(dir, 'logs.db') } });
  return { database, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});

let pg: TestPostgres | undefined;
suite('PostgreSQL', async () => {
  pg = await startPostgres();
  const database = openDatabase({ type: 'postgres', config: pg.config });
  return { database, cleanup: async () => { await pg?.stop(); } };
});

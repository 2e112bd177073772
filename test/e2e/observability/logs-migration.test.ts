// Upgrading a logs database written before migration 003 (primary key led by the request id): its
// rows survive, the key becomes (timestamp, id), the separate timestamp index is gone, and the
// store writes and reads as before — on SQLite (where the table is rebuilt) and PostgreSQL (where
// the partitioned table's key is replaced in place).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openDatabase, type Database } from '../../../src/storage/database.js';
import { migrate } from '../../../src/storage/migrations.js';
import { DAY_MS, LOGS_MIGRATIONS, createLogsStore, openLogsStore, type LogsStore } from '../../../src/storage/logs/index.js';
import { upsertStatement } from '../../../src/storage/logs/upsert-sql.js';
import { startPostgres, type TestPostgres } from '../../support/postgres.js';
import { row } from './support/log-rows.js';

const NOW = Date.UTC(2026, 10, 24, 12);
const OLD_ROWS = [1, 2, 3].map((i) => row({ id: `old-${i}`, timestamp: NOW - i * 60_000, content_summary: `old row ${i}` }));

/** The primary key's columns, in key order. */
async function keyColumns(database: Database): Promise<string[]> {
  if (database.kind === 'sqlite') {
    const rows = await sql<{ name: string; pk: number }>`pragma table_info(logs)`.execute(database.db);
    return rows.rows.filter((r) => r.pk > 0).sort((a, b) => a.pk - b.pk).map((r) => r.name);
  }
  const rows = await sql<{ name: string }>`
    select a.attname as name from pg_index i
    join pg_class c on c.oid = i.indrelid and c.relname = 'logs'
    cross join lateral unnest(i.indkey) with ordinality as k(attnum, n)
    join pg_attribute a on a.attrelid = c.oid and a.attnum = k.attnum
    where i.indisprimary order by k.n`.execute(database.db);
  return rows.rows.map((r) => r.name);
}

async function indexNames(database: Database): Promise<string[]> {
  const rows = database.kind === 'sqlite'
    ? await sql<{ name: string }>`select name from sqlite_master where type = 'index' and tbl_name = 'logs'`.execute(database.db)
    : await sql<{ name: string }>`select indexname as name from pg_indexes where tablename = 'logs'`.execute(database.db);
  return rows.rows.map((r) => r.name);
}

function upgrade(name: string, open: () => Promise<{ database: Database; cleanup: () => Promise<void> }>): void {
  describe(`logs database from before 003 on ${name}`, () => {
    let database: Database;
    let cleanup: () => Promise<void>;
    let store: LogsStore;
    before(async () => {
      ({ database, cleanup } = await open());
      await migrate(database, 'logs', LOGS_MIGRATIONS.slice(0, 2));
      assert.deepEqual(await keyColumns(database), ['id', 'timestamp'], 'the old layout to start from');
      const options = { retentionDays: () => 0, clock: { now: () => NOW, monotonic: () => 0 } };
      // Their day's partition exists before they are written (PostgreSQL), as it would have.
      await createLogsStore(database, options).preparePartitions(NOW - DAY_MS, NOW);
      await database.db.executeQuery(upsertStatement(database.kind, OLD_ROWS));
      store = await openLogsStore(database, options);
    });
    after(async () => {
      await database.close();
      await cleanup();
    });

    test('keeps its rows, leads its key with timestamp and drops the timestamp index', async () => {
      assert.deepEqual(await keyColumns(database), ['timestamp', 'id']);
      const indexes = await indexNames(database);
      assert.ok(!indexes.includes('logs_timestamp_idx'), `indexes: ${indexes.join(', ')}`);
      for (const kept of ['logs_provider_ts_idx', 'logs_latency_idx', 'logs_vk_ts_idx']) assert.ok(indexes.includes(kept), kept);
      const found = await store.search({ limit: 50, offset: 0, sort_by: 'timestamp', order: 'desc' });
      assert.deepEqual(found.logs.map((l) => [l.id, l.content_summary]), OLD_ROWS.map((r) => [r.id, r.content_summary]));
    });

    test('an update of an old row still replaces it', async () => {
      await store.upsert([{ ...OLD_ROWS[0]!, status: 'error', latency: 7 }]);
      assert.equal(await store.count(), OLD_ROWS.length);
      const [updated] = (await store.search({ limit: 1, offset: 0, sort_by: 'timestamp', order: 'desc', status: ['error'] })).logs;
      assert.equal(updated?.id, 'old-1');
      assert.equal(updated?.latency, 7);
    });
  });
}

upgrade('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bifrost-logs-upgrade-'));
  return { database: openDatabase({ type: 'sqlite', config: { path: join(dir, 'logs.db') } }), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});

let pg: TestPostgres | undefined;
upgrade('PostgreSQL', async () => {
  pg = await startPostgres();
  return { database: openDatabase({ type: 'postgres', config: pg.config }), cleanup: async () => { await pg?.stop(); } };
});

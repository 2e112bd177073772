// The database layer against both backends: store blocks parse as Bifrost writes them, migrations
// apply once and in order, concurrent runners (two pools = two processes' worth of connections)
// never double-apply, a newer database is refused, and ping reports an outage and the recovery.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { openDatabase, parseStoreBlock, passwordFromCommand, StoreConfigError, type StoreSpec } from '../../src/storage/database.js';
import { migrate, type Migration } from '../../src/storage/migrations.js';
import { testMigrations } from './fixtures/test-migrations.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';

const migrations = testMigrations;
const childScript = fileURLToPath(new URL('./fixtures/migrate-child.ts', import.meta.url));

function migrateInChild(spec: StoreSpec): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', childScript, JSON.stringify(spec)], (error, stdout, stderr) => {
      if (error) reject(new Error(`migration child failed: ${stderr}`));
      else resolve(JSON.parse(stdout) as string[]);
    });
  });
}

describe('parseStoreBlock', () => {
  const options = { name: 'config_store', appDir: '/data', defaultFile: 'config.db' };
  test('absent block means SQLite in the app dir; enabled:false means none', () => {
    assert.deepEqual(parseStoreBlock(undefined, options), { type: 'sqlite', config: { path: '/data/config.db' } });
    assert.equal(parseStoreBlock({ enabled: false }, options), undefined);
    assert.deepEqual(parseStoreBlock({ enabled: true, type: 'sqlite', config: { path: 'x/c.db' } }, options),
      { type: 'sqlite', config: { path: '/data/x/c.db' } });
  });
  test(':memory: stays an in-memory SQLite database, not a file in the app dir', async () => {
    const spec = parseStoreBlock({ enabled: true, type: 'sqlite', config: { path: ':memory:' } }, options);
    assert.deepEqual(spec, { type: 'sqlite', config: { path: ':memory:' } });
    const db = openDatabase(spec!, {});
    await db.ping(1_000);
    await db.close();
  });
  test('postgres block with string port and defaults', () => {
    const spec = parseStoreBlock({ enabled: true, type: 'postgres', config: { host: 'db', port: '5433', user: 'u', password: 'p', db_name: 'bifrost', ssl_mode: 'require' } }, options);
    assert.equal(spec?.type, 'postgres');
    assert.deepEqual(spec?.config, { host: 'db', port: '5433', user: 'u', password: 'p', db_name: 'bifrost', ssl_mode: 'require', max_idle_conns: 5, max_open_conns: 50 });
  });
  test('password_command: stdout is the password; failures are reported with the command', async () => {
    const spec = parseStoreBlock({ type: 'postgres', config: { host: 'db', user: 'u', db_name: 'b', password_command: { command: 'printf', args: ['%s\\n', 's3cret'], timeout: '5s' } } }, options);
    assert.equal(spec?.type, 'postgres');
    const command = spec?.type === 'postgres' ? spec.config.password_command : undefined;
    assert.ok(command);
    assert.equal(await passwordFromCommand(command), 's3cret');
    await assert.rejects(passwordFromCommand({ command: 'false', args: [] }), /password_command "false" failed/);
  });
  test('a bad block names the key', () => {
    assert.throws(() => parseStoreBlock({ type: 'postgres', config: { host: 'db', user: 'u' } }, options),
      (error: unknown) => error instanceof StoreConfigError && error.path === 'config_store.config.db_name');
    assert.throws(() => parseStoreBlock({ type: 'mysql' }, options),
      (error: unknown) => error instanceof StoreConfigError && error.path === 'config_store.type');
  });
});

function backendSuite(name: string, setup: () => Promise<{ spec: StoreSpec; cleanup: () => Promise<void> }>, pgHandle?: () => TestPostgres) {
  describe(`database on ${name}`, () => {
    let spec: StoreSpec;
    let cleanup: () => Promise<void>;
    before(async () => ({ spec, cleanup } = await setup()));
    after(async () => cleanup());

    test('migrations apply once, in order, and two processes starting at once do not collide', async () => {
      const [ranA, ranB] = await Promise.all([migrateInChild(spec), migrateInChild(spec)]);
      assert.deepEqual([...ranA, ...ranB].sort(), ['001_items', '002_items_note']);
      const a = openDatabase(spec);
      const b = openDatabase(spec);
      try {
        assert.deepEqual(await migrate(a, 'unit', migrations), []);
        await sql`insert into items (id, label, note) values (1, 'x', 'y')`.execute(a.db);
        const rows = await sql<{ label: string; note: string }>`select label, note from items`.execute(b.db);
        assert.deepEqual(rows.rows, [{ label: 'x', note: 'y' }]);
        await assert.rejects(migrate(a, 'unit', migrations.slice(0, 1)), /newer Bifrost-TS/);
        await assert.rejects(migrate(a, 'unit', [migrations[0]!, { name: '002_other', up: async () => {} }]), /diverges at #2/);
      } finally {
        await a.close();
        await b.close();
      }
    });

    test('a failing migration rolls back and is not recorded', async () => {
      const db = openDatabase(spec);
      try {
        const bad: Migration = { name: '001_bad', up: async ({ db: conn }) => {
          await conn.schema.createTable('half_done').addColumn('id', 'integer').execute();
          await sql`select * from no_such_table`.execute(conn);
        } };
        await assert.rejects(migrate(db, 'broken', [bad]), /migration "001_bad" failed/);
        const left = await sql<{ n: number }>`select count(*) as n from broken_migrations`.execute(db.db);
        assert.equal(Number(left.rows[0]?.n), 0);
      } finally {
        await db.close();
      }
    });

    if (pgHandle) {
      test('ping fails while PostgreSQL is down and recovers when it returns', { skip: process.env.PG_URL ? 'PG_URL server is not ours to stop' : false }, async () => {
        const db = openDatabase(spec);
        try {
          await db.ping();
          await pgHandle().halt();
          await assert.rejects(db.ping(1_000));
          await pgHandle().resume();
          await db.ping();
        } finally {
          await db.close();
        }
      });
    }
  });
}

backendSuite('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bifrost-db-'));
  return { spec: { type: 'sqlite', config: { path: join(dir, 'sub', 'config.db') } }, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});

let postgres: TestPostgres | undefined;
backendSuite('PostgreSQL', async () => {
  postgres = await startPostgres();
  const server = postgres;
  return { spec: { type: 'postgres', config: server.config }, cleanup: () => server.stop() };
}, () => postgres!);

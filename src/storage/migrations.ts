// A small versioned migration runner. Each store (config, logs, governance) passes its own ordered,
// named migrations and gets its own bookkeeping table `<store>_migrations`, so stores sharing one
// database evolve independently. It runs at startup, applies only what is missing, each migration in
// its own transaction, and is safe when several processes start at once: PostgreSQL serializes the
// runners with a session advisory lock, SQLite with `BEGIN IMMEDIATE` (the database write lock).
import { type Kysely, sql } from 'kysely';
import type { Database, DatabaseKind } from './database.js';

export interface MigrationContext {
  db: Kysely<object>;
  kind: DatabaseKind;
}

export interface Migration {
  /** Unique and stable forever, e.g. `001_create_providers`. */
  name: string;
  up(context: MigrationContext): Promise<void>;
}

const STORE_NAME = /^[a-z][a-z0-9_]{0,40}$/;
// First half of the two-int advisory lock key; the second is hashtext(store).
const LOCK_NAMESPACE = 0x42_46_52_53;

interface AppliedRow {
  name: string;
}

async function appliedNames(db: Kysely<object>, table: string): Promise<string[]> {
  const result = await sql<AppliedRow>`select name from ${sql.table(table)} order by seq`.execute(db);
  return result.rows.map((row) => row.name);
}

function checkOrder(store: string, applied: readonly string[], migrations: readonly Migration[]): void {
  applied.forEach((name, index) => {
    const expected = migrations[index]?.name;
    if (expected === undefined) {
      throw new Error(`${store} store: the database has migration "${name}" that this version does not know; it was migrated by a newer Bifrost-TS`);
    }
    if (expected !== name) {
      throw new Error(`${store} store: migration history diverges at #${index + 1} (database "${name}", code "${expected}")`);
    }
  });
}

async function applyOne(conn: Kysely<object>, kind: DatabaseKind, options: { table: string; migration: Migration; seq: number }): Promise<boolean> {
  await sql.raw(kind === 'sqlite' ? 'begin immediate' : 'begin').execute(conn);
  try {
    // Re-check under the write lock: another process may have applied it meanwhile (SQLite).
    const done = await sql<{ n: number }>`select count(*) as n from ${sql.table(options.table)} where name = ${options.migration.name}`.execute(conn);
    if (Number(done.rows[0]?.n ?? 0) > 0) {
      await sql.raw('commit').execute(conn);
      return false;
    }
    await options.migration.up({ db: conn, kind });
    await sql`insert into ${sql.table(options.table)} (seq, name, applied_at) values (${options.seq}, ${options.migration.name}, ${Date.now()})`.execute(conn);
    await sql.raw('commit').execute(conn);
    return true;
  } catch (error) {
    await sql.raw('rollback').execute(conn).catch(() => undefined);
    throw new Error(`${options.table}: migration "${options.migration.name}" failed: ${(error as Error).message}`, { cause: error });
  }
}

/** Brings `store`'s tables up to date. Returns the names of the migrations applied by this call. */
export async function migrate(database: Database, store: string, migrations: readonly Migration[]): Promise<string[]> {
  if (!STORE_NAME.test(store)) throw new Error(`invalid store name "${store}"`);
  const names = new Set(migrations.map((m) => m.name));
  if (names.size !== migrations.length) throw new Error(`${store} store: duplicate migration names`);
  const table = `${store}_migrations`;
  const { kind } = database;
  return database.db.connection().execute(async (conn) => {
    if (kind === 'postgres') await sql`select pg_advisory_lock(${LOCK_NAMESPACE}, hashtext(${store}))`.execute(conn);
    try {
      await sql`create table if not exists ${sql.table(table)} (seq integer primary key, name varchar(255) not null unique, applied_at bigint not null)`.execute(conn);
      const applied = await appliedNames(conn, table);
      checkOrder(store, applied, migrations);
      const ran: string[] = [];
      for (let index = applied.length; index < migrations.length; index += 1) {
        const migration = migrations[index];
        if (migration === undefined) continue;
        if (await applyOne(conn, kind, { table, migration, seq: index + 1 })) ran.push(migration.name);
      }
      return ran;
    } finally {
      if (kind === 'postgres') {
        await sql`select pg_advisory_unlock(${LOCK_NAMESPACE}, hashtext(${store}))`.execute(conn).catch(() => undefined);
      }
    }
  });
}

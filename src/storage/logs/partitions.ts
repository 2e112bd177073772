// Daily partitions of the PostgreSQL `logs` table: created a few days ahead so writes never wait
// on DDL, and dropped whole once they fall out of `log_retention_days` — a metadata operation,
// unlike deleting millions of rows. Partition names carry their UTC day: `logs_p20261124`.
// Rows that arrive before their day's partition exists land in the default partition; creating
// that day's partition later moves them into it (PostgreSQL refuses to create a partition whose
// range the default partition already holds rows of).
import { sql, type Kysely } from 'kysely';
import { LOGS_TABLE } from './schema.js';

export const DAY_MS = 86_400_000;
/**
 * Replicas sharing one database start together and each make the same partitions: concurrent
 * `create table if not exists` can still fail with "already exists" (the catalog check and the
 * insert are not atomic). A transaction-scoped advisory lock on this key serializes partition DDL.
 */
const PARTITION_LOCK = 0x6c6f6773; // 'logs'

export function dayStart(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

export function partitionName(dayStartMs: number): string {
  const d = new Date(dayStartMs);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${LOGS_TABLE}_p${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
}

/** Day start (ms) encoded in a partition name, or undefined for other tables. */
export function partitionDay(name: string): number | undefined {
  const m = /^logs_p(\d{4})(\d{2})(\d{2})$/.exec(name);
  if (!m) return undefined;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
}

/** Creates the daily partitions covering [fromMs, toMs]; existing ones are left alone. */
export async function ensurePartitions(db: Kysely<object>, fromMs: number, toMs: number): Promise<string[]> {
  const created: string[] = [];
  const existing = new Set(await listPartitions(db));
  for (let day = dayStart(fromMs); day <= toMs; day += DAY_MS) {
    const name = partitionName(day);
    if (existing.has(name)) continue;
    try {
      await db.transaction().execute(async (tx) => {
        await sql`select pg_advisory_xact_lock(${PARTITION_LOCK})`.execute(tx);
        await sql.raw(`create table if not exists ${name} partition of ${LOGS_TABLE} for values from (${day}) to (${day + DAY_MS})`).execute(tx);
      });
    } catch (error) {
      if (!holdsStrays(error)) throw error;
      await adoptStrays(db, name, day);
    }
    created.push(name);
  }
  return created;
}

/** PostgreSQL's check_violation, raised when the default partition holds rows of the new range. */
function holdsStrays(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '23514';
}

/**
 * Creates the day's partition as a plain table, moves the default partition's rows of that day
 * into it and attaches it, in one transaction. The default partition is locked first so no row of
 * that day lands there meanwhile (writes to other days' partitions go on); a replica that raced
 * here and lost finds the partition made and leaves it.
 */
async function adoptStrays(db: Kysely<object>, name: string, day: number): Promise<void> {
  const range = `timestamp >= ${day} and timestamp < ${day + DAY_MS}`;
  await db.transaction().execute(async (tx) => {
    await sql`select pg_advisory_xact_lock(${PARTITION_LOCK})`.execute(tx);
    await sql.raw(`lock table ${LOGS_TABLE}_default in access exclusive mode`).execute(tx);
    const made = await sql<{ oid: string | null }>`select to_regclass(${name})::text as oid`.execute(tx);
    if (made.rows[0]?.oid) return;
    await sql.raw(`create table ${name} (like ${LOGS_TABLE} including defaults)`).execute(tx);
    await sql.raw(`with moved as (delete from ${LOGS_TABLE}_default where ${range} returning *) insert into ${name} select * from moved`).execute(tx);
    await sql.raw(`alter table ${LOGS_TABLE} attach partition ${name} for values from (${day}) to (${day + DAY_MS})`).execute(tx);
  });
}

export async function listPartitions(db: Kysely<object>): Promise<string[]> {
  const result = await sql<{ name: string }>`
    select c.relname as name from pg_inherits i
    join pg_class c on c.oid = i.inhrelid
    join pg_class p on p.oid = i.inhparent
    where p.relname = ${LOGS_TABLE}`.execute(db);
  return result.rows.map((r) => r.name);
}

/** Drops every daily partition that ends at or before `cutoffMs`; returns their names. */
export async function dropPartitionsBefore(db: Kysely<object>, cutoffMs: number): Promise<string[]> {
  const dropped: string[] = [];
  for (const name of await listPartitions(db)) {
    const day = partitionDay(name);
    if (day === undefined || day + DAY_MS > cutoffMs) continue;
    await sql.raw(`drop table if exists ${name}`).execute(db);
    dropped.push(name);
  }
  return dropped;
}

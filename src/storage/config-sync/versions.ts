// Config versions: one counter per synced section ('config' = providers, keys, plugins, client and
// auth config; 'governance' = virtual keys, teams, customers, budgets, rate limits) in the
// `config_versions` table. Every write of a section bumps its counter in the same transaction as
// the write, and on PostgreSQL queues `NOTIFY bifrost_config, '<section>:<version>:<node>'`, which
// PostgreSQL delivers when (and only if) the transaction commits. Bumps of one section serialize
// on the counter row, so its versions are contiguous and committed in order: a replica that holds
// version v and writes v+1 itself knows it is current without reading anything back.
import { type QueryExecutorProvider, sql } from 'kysely';
import type { Database } from '../database.js';
import { migrate, type Migration } from '../migrations.js';
import { nodeIdOf, type SyncSectionName } from './local.js';

export { announceLocalWrite, nodeIdOf, onLocalWrite, setNodeId, type LocalWriteListener, type SyncSectionName } from './local.js';

export const CONFIG_CHANNEL = 'bifrost_config';

export interface VersionTable {
  section: string;
  version: number;
  updated_at: number;
}

export interface VersionTables {
  config_versions: VersionTable;
}

export const CONFIG_SYNC_MIGRATIONS: readonly Migration[] = [{
  name: '001_create_config_versions',
  async up({ db, kind }) {
    const big = kind === 'postgres' ? 'bigint' : 'integer';
    await sql.raw(`create table config_versions (section text primary key, version ${big} not null, updated_at ${big} not null)`).execute(db);
  },
}];

/** Creates `config_versions` when missing (every store that bumps a section calls it at open). */
export async function ensureVersionTable(database: Database): Promise<void> {
  await migrate(database, 'config_sync', CONFIG_SYNC_MIGRATIONS);
}

/** A notice as sent on NOTIFY and the cluster channel: `<section>:<version>:<node>`. */
export interface VersionNotice {
  section: string;
  version: number;
  node: string;
}

export function formatNotice(notice: VersionNotice): string {
  return `${notice.section}:${notice.version}:${notice.node}`;
}

export function parseNotice(text: string): VersionNotice | undefined {
  const match = /^([a-z_]{1,40}):(\d{1,15}):(.{1,200})$/s.exec(text);
  if (!match) return undefined;
  return { section: match[1]!, version: Number(match[2]), node: match[3]! };
}

/**
 * Bumps `section`'s version inside the caller's transaction `trx` and, on PostgreSQL, queues the
 * notice for commit. Returns the new version.
 */
export async function bumpVersion(trx: QueryExecutorProvider, database: Database, section: SyncSectionName): Promise<number> {
  const now = Date.now();
  const result = await sql<{ version: number | string }>`insert into config_versions (section, version, updated_at) values (${section}, 1, ${now})
    on conflict (section) do update set version = config_versions.version + 1, updated_at = excluded.updated_at
    returning version`.execute(trx);
  const version = Number(result.rows[0]?.version);
  if (!Number.isSafeInteger(version) || version < 1) throw new Error(`config_versions: bump of ${section} returned ${String(result.rows[0]?.version)}`);
  if (database.kind === 'postgres') {
    const payload = formatNotice({ section, version, node: nodeIdOf(database) });
    await sql`select pg_notify(${CONFIG_CHANNEL}, ${payload})`.execute(trx);
  }
  return version;
}

/** The stored version of every section (0 for a section never written). */
export async function readVersions(database: Database): Promise<Record<SyncSectionName, number>> {
  const rows = await database.typed<VersionTables>().selectFrom('config_versions').select(['section', 'version']).execute();
  const out: Record<SyncSectionName, number> = { config: 0, governance: 0 };
  for (const row of rows) if (row.section === 'config' || row.section === 'governance') out[row.section] = Number(row.version);
  return out;
}

/** One section's stored version, read through `db` (a database or a transaction). */
export async function readVersion(db: QueryExecutorProvider, section: SyncSectionName): Promise<number> {
  const result = await sql<{ version: number | string }>`select version from config_versions where section = ${section}`.execute(db);
  const row = result.rows[0];
  return row ? Number(row.version) : 0;
}

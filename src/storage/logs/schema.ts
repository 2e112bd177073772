// The request-log table (`logs`, Bifrost's name) and its migrations for both backends. Columns are
// those of the logging plugin's LogEntry. On PostgreSQL the table is range-partitioned by day on
// `timestamp` (epoch ms), so retention drops whole partitions instead of deleting rows; the
// primary key therefore includes `timestamp`. Indexes serve the `/api/logs` filters: every one
// leads to or ends with `timestamp`, the default sort. Since migration 003 the primary key leads
// with `timestamp` (see timestampFirstKey).
import { sql } from 'kysely';
import type { LogEntry } from '../../plugins/logging/types.js';
import type { Migration, MigrationContext } from '../migrations.js';

/** A stored row: the logging plugin's LogEntry, with the column types the backends give back. */
export type LogsTable = Omit<LogEntry, 'status' | 'stream'> & {
  status: string;
  /** 0/1 on SQLite, boolean on PostgreSQL. */
  stream: number | boolean;
};

export interface LogsTables {
  logs: LogsTable;
}

export const LOGS_TABLE = 'logs';

function columns(ctx: MigrationContext, primaryKey = 'id, timestamp'): string {
  const big = ctx.kind === 'postgres' ? 'bigint' : 'integer';
  const real = ctx.kind === 'postgres' ? 'double precision' : 'real';
  const bool = ctx.kind === 'postgres' ? 'boolean' : 'integer';
  return `
    id text not null,
    parent_request_id text,
    timestamp ${big} not null,
    object text not null,
    provider text not null,
    model text not null,
    status text not null,
    latency ${real},
    prompt_tokens integer,
    completion_tokens integer,
    total_tokens integer,
    cost ${real},
    stream ${bool} not null,
    virtual_key_id text,
    virtual_key_name text,
    selected_key_name text,
    fallback_index integer,
    input_history text,
    output_message text,
    error_details text,
    content_summary text,
    primary key (${primaryKey})`;
}

const INDEXES: [string, string][] = [
  ['logs_timestamp_idx', '(timestamp)'],
  ['logs_provider_ts_idx', '(provider, timestamp)'],
  ['logs_model_ts_idx', '(model, timestamp)'],
  ['logs_status_ts_idx', '(status, timestamp)'],
  ['logs_object_ts_idx', '(object, timestamp)'],
  ['logs_latency_idx', '(latency)'],
  ['logs_tokens_idx', '(total_tokens)'],
  ['logs_cost_idx', '(cost)'],
  ['logs_vk_ts_idx', '(virtual_key_id, timestamp)'],
];

async function createTable(ctx: MigrationContext): Promise<void> {
  const partitioned = ctx.kind === 'postgres' ? ' partition by range (timestamp)' : '';
  await sql.raw(`create table if not exists ${LOGS_TABLE} (${columns(ctx)})${partitioned}`).execute(ctx.db);
  if (ctx.kind === 'postgres') {
    // Catches rows outside every daily partition (clock skew), so an insert never fails for want
    // of a partition; maintenance creates the real partitions days ahead.
    await sql.raw(`create table if not exists ${LOGS_TABLE}_default partition of ${LOGS_TABLE} default`).execute(ctx.db);
  }
  // On a partitioned table these are partitioned indexes: each partition gets its own.
  for (const [name, cols] of INDEXES) {
    await sql.raw(`create index if not exists ${name} on ${LOGS_TABLE} ${cols}`).execute(ctx.db);
  }
}

async function contentSearchIndex(ctx: MigrationContext): Promise<void> {
  if (ctx.kind !== 'postgres') return;
  // Trigram index makes `content_search` (ILIKE '%term%') an index scan. pg_trgm ships with
  // PostgreSQL's contrib; where it cannot be created the search still works, by scanning.
  const available = await sql<{ n: number }>`select count(*)::int as n from pg_available_extensions where name = 'pg_trgm'`.execute(ctx.db);
  if (Number(available.rows[0]?.n ?? 0) === 0) return;
  await sql.raw('create extension if not exists pg_trgm').execute(ctx.db);
  await sql.raw(`create index if not exists logs_content_trgm_idx on ${LOGS_TABLE} using gin (content_summary gin_trgm_ops)`).execute(ctx.db);
}

// A key that leads with a random request id puts every new row at a random place in the key's
// B-tree, a page read and write per insert; led by `timestamp`, new rows land at its right edge.
// The key then also serves every timestamp-ordered scan, so the separate timestamp index goes.
// SQLite cannot change a table's key in place: the table is rebuilt (in the migration's
// transaction) with its rows and the remaining indexes.
async function timestampFirstKey(ctx: MigrationContext): Promise<void> {
  if (ctx.kind === 'postgres') {
    await sql.raw(`alter table ${LOGS_TABLE} drop constraint ${LOGS_TABLE}_pkey`).execute(ctx.db);
    await sql.raw(`alter table ${LOGS_TABLE} add primary key (timestamp, id)`).execute(ctx.db);
    await sql.raw('drop index if exists logs_timestamp_idx').execute(ctx.db);
    return;
  }
  await sql.raw(`create table ${LOGS_TABLE}_rebuilt (${columns(ctx, 'timestamp, id')})`).execute(ctx.db);
  await sql.raw(`insert into ${LOGS_TABLE}_rebuilt select * from ${LOGS_TABLE} order by timestamp`).execute(ctx.db);
  await sql.raw(`drop table ${LOGS_TABLE}`).execute(ctx.db);
  await sql.raw(`alter table ${LOGS_TABLE}_rebuilt rename to ${LOGS_TABLE}`).execute(ctx.db);
  for (const [name, cols] of INDEXES) {
    if (name !== 'logs_timestamp_idx') await sql.raw(`create index ${name} on ${LOGS_TABLE} ${cols}`).execute(ctx.db);
  }
}

export const LOGS_MIGRATIONS: readonly Migration[] = [
  { name: '001_create_logs', up: createTable },
  { name: '002_content_search_index', up: contentSearchIndex },
  { name: '003_timestamp_first_key', up: timestampFirstKey },
];

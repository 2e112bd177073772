// The logs store: the logging plugin's LogStore port (batched upserts) plus the read side behind
// `/api/logs` (filtered, sorted, paginated rows with aggregate stats, distinct models) and
// retention. One implementation for SQLite and PostgreSQL; the differences (boolean column,
// ILIKE, daily partitions) are confined to a few branches; on a SQLite file the writes run on a
// worker thread (write-thread.ts) so that the inserts' CPU time is not taken from requests, and
// rows carrying their content as text (LogEntry.raw) get their content columns there too.
import { sql, type Kysely } from 'kysely';
import type { Clock, Logger } from '../../core/index.js';
import { silentLogger, systemClock } from '../../core/index.js';
import { resolveContent } from '../../plugins/logging/entry.js';
import type { CustodyHandlers, LogEntry, LogStatus, LogStore } from '../../plugins/logging/types.js';
import type { Database } from '../database.js';
import { migrate } from '../migrations.js';
import { DAY_MS, dropPartitionsBefore, ensurePartitions } from './partitions.js';
import { SORT_COLUMNS, whereFilters, type LogFilters, type LogQuery } from './query.js';
import { LOGS_MIGRATIONS, type LogsTable, type LogsTables } from './schema.js';
import { UPSERT_CHUNK, upsertStatement } from './upsert-sql.js';
import { sqliteFileOf, startWriteThread, type WriteThread } from './write-thread.js';

/** Daily partitions kept ready ahead of today. */
const DAYS_AHEAD = 3;
/** A request still `processing` after this long is taken as lost. */
export const STALE_PROCESSING_MS = 5 * 60 * 1000;
const STALE_ERROR = JSON.stringify({
  status_code: 500, is_bifrost_error: true,
  error: { type: 'request_incomplete', message: 'the request did not complete (gateway stopped before it finished)' },
});

export interface LogStats {
  total_requests: number;
  success_rate: number;
  average_latency: number;
  total_tokens: number;
  total_cost: number;
}

export interface LogSearchResult {
  logs: LogEntry[];
  pagination: { limit: number; offset: number; sort_by: string; order: string; total_count: number };
  stats: LogStats;
}

export interface LogsStore extends LogStore {
  search(query: LogQuery): Promise<LogSearchResult>;
  /** Distinct model names seen in the logs. */
  models(): Promise<string[]>;
  count(filters?: LogFilters): Promise<number>;
  /** Creates partitions ahead (PostgreSQL) and applies retention. */
  maintain(): Promise<{ dropped: string[]; deleted: number }>;
  /** Makes sure rows in [fromMs, toMs] have a partition (PostgreSQL; a no-op on SQLite). */
  preparePartitions(fromMs: number, toMs: number): Promise<void>;
}

export interface LogsStoreOptions {
  /** `client.log_retention_days`, read at each maintenance run; 0 keeps everything. */
  retentionDays: () => number;
  clock?: Clock;
  logger?: Logger;
  /** SQLite: rows handed to the write thread are committed every `intervalMs` or `rows` rows. */
  commit?: { intervalMs: number; rows: number };
}

/** Runs the logs migrations and returns the store. */
export async function openLogsStore(database: Database, options: LogsStoreOptions): Promise<LogsStore> {
  await migrate(database, 'logs', LOGS_MIGRATIONS);
  const store = createLogsStore(database, options);
  await store.maintain();
  return store;
}

export function createLogsStore(database: Database, options: LogsStoreOptions): LogsStore {
  const db: Kysely<LogsTables> = database.typed<LogsTables>();
  const { kind } = database;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  // SQLite files are written from a worker thread, started with the first write (after migrations).
  const sqliteFile = kind === 'sqlite' ? sqliteFileOf(database.describe()) : undefined;
  let thread: WriteThread | undefined;
  let custody: CustodyHandlers | undefined;
  /** The write thread, started (again, after an idle stop) when needed; undefined once it broke. */
  const liveThread = (): WriteThread | undefined => {
    if (sqliteFile === undefined) return undefined;
    if (!thread || thread.stopped) {
      thread = startWriteThread(sqliteFile, {
        ...(options.commit ? { commitMs: options.commit.intervalMs, commitRows: options.commit.rows } : {}),
        custody: {
          committed: (count) => custody?.committed(count),
          returned: (rows, error) => custody?.returned(rows, error),
          lost: (count, error) => custody?.lost(count, error),
        },
      });
    }
    return thread.broken ? undefined : thread;
  };

  const fromRow = (r: LogsTable): LogEntry => ({
    ...r,
    timestamp: Number(r.timestamp),
    status: r.status as LogStatus,
    stream: r.stream === true || r.stream === 1,
  });

  const store: LogsStore = {
    async upsert(entries) {
      const writer = liveThread();
      if (writer) return writer.upsert(entries);
      // Here (PostgreSQL, or SQLite without its thread) content carried as text becomes its
      // columns at write time, chunk by chunk, after the batch left the request path.
      for (let i = 0; i < entries.length; i += UPSERT_CHUNK) {
        const chunk = entries.slice(i, i + UPSERT_CHUNK).map(resolveContent);
        await db.executeQuery(upsertStatement(kind, chunk));
      }
    },

    custody(handlers) {
      if (sqliteFile === undefined) return undefined;
      custody = handlers;
      return {
        take: (entries) => liveThread()?.takeOver(entries) ?? false,
        flush: async () => {
          if (thread && !thread.broken && !thread.stopped) await thread.flush();
        },
      };
    },

    async search(query) {
      const where = whereFilters(query, kind);
      const column = SORT_COLUMNS[query.sort_by];
      const direction = query.order === 'asc' ? 'asc' : 'desc';
      const read = (q: Kysely<LogsTables>) => Promise.all([
        q.selectFrom('logs').selectAll().where(where)
          .orderBy(sql.raw(`${column} ${direction} nulls last`))
          .orderBy(sql.raw(`id ${direction}`))
          .limit(query.limit).offset(query.offset)
          .execute(),
        q.selectFrom('logs').where(where).select((eb) => [
          eb.fn.countAll<number>().as('total'),
          sql<number>`sum(case when status = 'success' then 1 else 0 end)`.as('success'),
          sql<number>`sum(case when status in ('success', 'error') then 1 else 0 end)`.as('completed'),
          eb.fn.avg<number>('latency').as('avg_latency'),
          eb.fn.sum<number>('total_tokens').as('tokens'),
          eb.fn.sum<number>('cost').as('cost'),
        ]).executeTakeFirstOrThrow(),
      ]);
      // The write thread commits on its own connection: on SQLite both reads share one read
      // transaction, so the page and its totals describe the same moment.
      const [rows, stats] = kind === 'sqlite' ? await db.transaction().execute(read) : await read(db);
      const total = Number(stats.total ?? 0);
      const completed = Number(stats.completed ?? 0);
      return {
        logs: rows.map(fromRow),
        pagination: { limit: query.limit, offset: query.offset, sort_by: query.sort_by, order: direction, total_count: total },
        stats: {
          total_requests: total,
          success_rate: completed === 0 ? 0 : (Number(stats.success ?? 0) / completed) * 100,
          average_latency: Number(stats.avg_latency ?? 0),
          total_tokens: Number(stats.tokens ?? 0),
          total_cost: Number(stats.cost ?? 0),
        },
      };
    },

    async models() {
      const rows = await db.selectFrom('logs').select('model').distinct().orderBy('model').execute();
      return rows.map((r) => r.model);
    },

    async count(filters = {}) {
      const row = await db.selectFrom('logs').where(whereFilters(filters, kind))
        .select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async preparePartitions(fromMs, toMs) {
      if (kind === 'postgres') await ensurePartitions(database.db, fromMs, toMs);
    },

    async maintain() {
      const now = clock.now();
      if (kind === 'postgres') {
        const created = await ensurePartitions(database.db, now - DAY_MS, now + DAYS_AHEAD * DAY_MS);
        if (created.length > 0) logger.info({ partitions: created }, 'created log partitions');
      }
      // A row still `processing` long after its start belongs to a request whose gateway died
      // before finishing it (Bifrost cleans these too); close it as an error instead of leaving
      // it open forever.
      await db.updateTable('logs')
        .set({ status: 'error', error_details: STALE_ERROR })
        .where('status', '=', 'processing').where('timestamp', '<', now - STALE_PROCESSING_MS)
        .execute();
      const days = options.retentionDays();
      if (!(days > 0)) return { dropped: [], deleted: 0 };
      const cutoff = now - days * DAY_MS;
      const dropped = kind === 'postgres' ? await dropPartitionsBefore(database.db, cutoff) : [];
      // SQLite has no partitions; on PostgreSQL this only touches the default partition's strays.
      const result = await db.deleteFrom('logs').where('timestamp', '<', cutoff).executeTakeFirst();
      const deleted = Number(result.numDeletedRows ?? 0);
      if (dropped.length > 0 || deleted > 0) logger.info({ dropped, deleted, retention_days: days }, 'applied log retention');
      return { dropped, deleted };
    },
  };
  return store;
}

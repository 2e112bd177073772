// Opens one kysely database from a parsed `config_store` / `logs_store` block: SQLite through
// better-sqlite3 (WAL, busy timeout, created on first use) or PostgreSQL through a pg Pool
// (max_open_conns, max_idle_conns, ssl_mode). Every store (config, logs, governance) receives a
// `Database` handle and declares its own tables with `typed<Tables>()`; nothing here knows a table.
// The gateway imports this module only when it opens a store, and each driver is required on first
// use, so a SQLite-only gateway never loads pg and a PostgreSQL one never loads better-sqlite3.
import { execFile } from 'node:child_process';
import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, sql, SqliteDialect } from 'kysely';
import type pg from 'pg';
import type { Logger } from '../core/index.js';
import { silentLogger } from '../core/index.js';
import type { DatabaseKind, PostgresStoreConfig, SqliteStoreConfig, StoreSpec } from './store-block.js';

// Store-block parsing lives in store-block.ts (no driver); re-exported for callers that open a database anyway.
export {
  parseStoreBlock, StoreConfigError,
  type DatabaseKind, type PostgresStoreConfig, type SqliteStoreConfig, type StoreBlockOptions, type StoreSpec,
} from './store-block.js';

// Both drivers are CommonJS; a synchronous require keeps openDatabase synchronous.
const requireDriver = createRequire(import.meta.url);

/** An open database. `db` is untyped; each store narrows it with `typed<Tables>()`. */
export interface Database {
  readonly kind: DatabaseKind;
  readonly db: Kysely<object>;
  typed<T extends object>(): Kysely<T>;
  /** Resolves when the database answers `select 1` within the timeout; rejects otherwise. */
  ping(timeoutMs?: number): Promise<void>;
  /** Where it points, without credentials (for logs and health messages). */
  describe(): string;
  /** The database file, for SQLite (undefined for PostgreSQL and `:memory:`). */
  readonly file?: string | undefined;
  /**
   * PostgreSQL only: a new connection outside the pool, with the pool's settings, for a session
   * that must stay open (config sync LISTENs on one). `applicationName` names it in
   * pg_stat_activity. The caller ends it; an 'error' listener is already attached.
   */
  connectDedicated?(applicationName: string): Promise<pg.Client>;
  close(): Promise<void>;
}

export interface OpenOptions {
  logger?: Logger;
  /** PostgreSQL: how long to wait for a connection before failing a query (default 5000 ms). */
  connectTimeoutMs?: number;
}

function sslOption(mode: PostgresStoreConfig['ssl_mode']): pg.PoolConfig['ssl'] {
  switch (mode) {
    case 'require': return { rejectUnauthorized: false };
    case 'verify-ca': return { rejectUnauthorized: true, checkServerIdentity: () => undefined };
    case 'verify-full': return { rejectUnauthorized: true };
    // node-postgres cannot "try TLS then fall back", so allow/prefer connect in clear like disable.
    default: return false;
  }
}

const INT8_OID = 20;

type PasswordCommand = NonNullable<PostgresStoreConfig['password_command']>;

/** `5s`, `500ms`, `1m`, or a number of seconds → milliseconds (default 10 s). */
function timeoutMs(timeout: PasswordCommand['timeout']): number {
  if (timeout === undefined) return 10_000;
  if (typeof timeout === 'number') return timeout * 1000;
  const match = /^(\d+)(ms|s|m)$/.exec(timeout);
  const value = Number(match?.[1] ?? 10);
  return match?.[2] === 'ms' ? value : match?.[2] === 'm' ? value * 60_000 : value * 1000;
}

/** Runs the configured command and returns its trimmed stdout as the password. */
export function passwordFromCommand(command: PasswordCommand): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command.command, command.args, { timeout: timeoutMs(command.timeout), encoding: 'utf8' }, (error, stdout) => {
      if (error) reject(new Error(`password_command "${command.command}" failed: ${error.message}`));
      else resolve(stdout.trim());
    });
  });
}

function openPostgres(config: PostgresStoreConfig, options: OpenOptions): Database {
  const logger = options.logger ?? silentLogger;
  const where = `postgres://${config.host}:${config.port}/${config.db_name}`;
  const passwordCommand = config.password_command;
  const { Client, Pool, types } = requireDriver('pg') as typeof pg;
  const connection = {
    host: config.host,
    port: Number(config.port),
    user: config.user,
    password: passwordCommand ? () => passwordFromCommand(passwordCommand) : config.password,
    database: config.db_name,
    ssl: sslOption(config.ssl_mode),
  };
  const pool = new Pool({
    ...connection,
    max: config.max_open_conns,
    // pg has no idle cap; keep up to max_idle_conns warm and let the rest time out quickly.
    min: Math.min(config.max_idle_conns, config.max_open_conns),
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    // Counters and millisecond timestamps are bigint columns; they stay well below 2^53.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID ? (value: string) => Number(value) : types.getTypeParser(oid, format ?? 'text')) as typeof types.getTypeParser,
    },
  });
  // A client losing its server (restart, network) must not crash the process; the next query gets
  // a fresh connection or a clear error. The pool only listens on idle clients: one checked out
  // between two statements would emit an unhandled 'error', so every client gets a listener too.
  pool.on('error', (error) => logger.warn({ err: error.message, store: where }, 'postgres connection lost'));
  pool.on('connect', (client) => {
    client.on('error', (error) => logger.warn({ err: error.message, store: where }, 'postgres connection lost while in use'));
  });
  const db = new Kysely<object>({ dialect: new PostgresDialect({ pool }) });
  const connectDedicated = async (applicationName: string): Promise<pg.Client> => {
    const client = new Client({ ...connection, application_name: applicationName, connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000 });
    client.on('error', (error) => logger.warn({ err: error.message, store: where, connection: applicationName }, 'postgres connection lost'));
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    return client;
  };
  return { ...makeHandle('postgres', db, where), connectDedicated };
}

/**
 * A SQLite file holds secrets (provider keys — in clear without an encryption key — session tokens,
 * request logs), so only its owner may read it. The directories made for it are 0700 and a new
 * file is created 0600 before SQLite opens it; SQLite gives its -wal and -shm files the mode of
 * the database file. Files an older version left group- or world-readable lose those bits here.
 */
function createPrivately(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

function tightenModes(path: string, logger: Logger): void {
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    try {
      const mode = statSync(file, { throwIfNoEntry: false })?.mode;
      if (mode !== undefined && (mode & 0o077) !== 0) chmodSync(file, mode & 0o700);
    } catch (error) {
      logger.warn({ file, err: (error as Error).message }, 'could not make the database file private (chmod go-rwx)');
    }
  }
}

function openSqlite(config: SqliteStoreConfig, options: OpenOptions): Database {
  if (config.path !== ':memory:') createPrivately(config.path);
  const Sqlite = requireDriver('better-sqlite3') as typeof BetterSqlite3;
  const file = new Sqlite(config.path);
  enableWal(file);
  if (config.path !== ':memory:') tightenModes(config.path, options.logger ?? silentLogger);
  file.pragma('busy_timeout = 5000');
  file.pragma('synchronous = NORMAL');
  file.pragma('foreign_keys = ON');
  // Overwrite deleted content, so a secret re-sealed or removed does not linger in free pages.
  file.pragma('secure_delete = ON');
  const db = new Kysely<object>({ dialect: new SqliteDialect({ database: file }) });
  return makeHandle('sqlite', db, `sqlite:${config.path}`, config.path === ':memory:' ? undefined : config.path);
}

/**
 * Switches a SQLite file to WAL. The switch needs the file to itself for a moment: when another
 * process opens it at the same time SQLite answers BUSY at once instead of waiting (waiting could
 * deadlock), so it is retried for a few seconds. This runs once, when a store is opened.
 */
function enableWal(file: BetterSqlite3.Database): void {
  const deadline = Date.now() + 5000;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      file.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw error;
      Atomics.wait(pause, 0, 0, 10);
    }
  }
}

function makeHandle(kind: DatabaseKind, db: Kysely<object>, where: string, file?: string): Database {
  let closed = false;
  return {
    kind,
    db,
    file,
    typed: <T extends object>() => db as unknown as Kysely<T>,
    async ping(timeoutMs = 2_000) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${where} did not answer within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([sql`select 1`.execute(db), timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    describe: () => where,
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}

/** Opens (and for SQLite, creates) the database a store block points at. */
export function openDatabase(spec: StoreSpec, options: OpenOptions = {}): Database {
  return spec.type === 'sqlite' ? openSqlite(spec.config, options) : openPostgres(spec.config, options);
}

// Writes log rows into a SQLite logs database from a worker thread, on the worker's own connection
// to the same file (WAL lets the main connection read meanwhile). SQLite inserts run synchronously
// in the calling thread; with content logging a row costs tens of µs of index and page work, which
// on the main thread is taken from every request, and so is deriving a row's content columns from
// the request and response texts it carries. The worker prepares its statement once and
// writes each batch in one transaction. While a batch is in flight the worker keeps the process
// alive (so a shutdown flush completes); idle, it does not hold the process open, and after a
// while without writes it stops (the store starts a new one with its next batch).
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { CONTENT_KIT_SOURCE } from '../../plugins/logging/content.js';
import type { LogEntry } from '../../plugins/logging/types.js';
import { COLUMNS, SQLITE_ROW_UPSERT } from './upsert-sql.js';

// Plain CommonJS evaluated in the worker, so it runs the same from dist/ and under tsx in tests.
// Rows that carry their content as text (LogEntry.raw) get their content columns derived here,
// by the logging plugin's own content kit (its source is evaluated in the worker), so neither
// the parsing nor the serializing happens on the main thread.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
${CONTENT_KIT_SOURCE}
const kit = contentKit();
let write;
let fatal;
try {
  const Database = require(workerData.driver);
  const db = new Database(workerData.path);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('synchronous = NORMAL');
  db.pragma('secure_delete = ON');
  const statement = db.prepare(workerData.sql);
  const columns = workerData.columns;
  write = db.transaction((rows) => {
    for (const row of rows) {
      const derived = row.raw ? kit.columns(row.raw) : undefined;
      const values = new Array(columns.length);
      for (let i = 0; i < columns.length; i += 1) {
        const value = derived !== undefined && columns[i] in derived ? derived[columns[i]] : row[columns[i]];
        values[i] = columns[i] === 'stream' ? (value ? 1 : 0) : value === undefined ? null : value;
      }
      statement.run(values);
    }
  });
} catch (error) {
  fatal = error instanceof Error ? error.message : String(error);
}
parentPort.on('message', (message) => {
  if (fatal !== undefined) {
    parentPort.postMessage({ id: message.id, error: fatal, fatal: true });
    return;
  }
  try {
    write(message.rows);
    parentPort.postMessage({ id: message.id });
  } catch (error) {
    parentPort.postMessage({ id: message.id, error: error instanceof Error ? error.message : String(error) });
  }
});
`;

export interface WriteThread {
  upsert(entries: readonly LogEntry[]): Promise<void>;
  /** Set once the worker itself failed (not a single write); the caller writes in-thread then. */
  readonly broken: boolean;
  /** Set once the worker was stopped after sitting idle; the caller starts a new one. */
  readonly stopped: boolean;
}

/** An idle worker is stopped after this long, so a closed store leaves no thread behind for long. */
export const IDLE_STOP_MS = 30_000;

interface Waiter {
  resolve: () => void;
  reject: (error: Error) => void;
}

/** Starts the worker for the SQLite file at `path`. */
export function startWriteThread(path: string, options: { idleStopMs?: number } = {}): WriteThread {
  const idleStopMs = options.idleStopMs ?? IDLE_STOP_MS;
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    execArgv: [],
    workerData: { driver, path, sql: SQLITE_ROW_UPSERT, columns: COLUMNS },
  });
  worker.unref();
  const waiting = new Map<number, Waiter>();
  let nextId = 1;
  let broken = false;
  let stopped = false;
  let idle: NodeJS.Timeout | undefined;
  const stopWhenIdle = (): void => {
    if (idle) clearTimeout(idle);
    idle = setTimeout(() => {
      idle = undefined;
      if (waiting.size > 0) return;
      stopped = true;
      void worker.terminate();
    }, idleStopMs);
    idle.unref();
  };

  const failAll = (error: Error): void => {
    broken = true;
    for (const waiter of waiting.values()) waiter.reject(error);
    waiting.clear();
  };
  worker.on('message', (message: { id: number; error?: string; fatal?: boolean }) => {
    // The worker could not open the file or prepare its statement: retire it for good.
    if (message.fatal) broken = true;
    const waiter = waiting.get(message.id);
    waiting.delete(message.id);
    if (waiting.size === 0) {
      worker.unref();
      stopWhenIdle();
    }
    if (message.error === undefined) waiter?.resolve();
    else waiter?.reject(new Error(message.error));
  });
  worker.on('error', (error: unknown) => {
    const message = error && typeof error === 'object' && 'message' in error ? String(error.message) : String(error);
    failAll(new Error(`logs write thread failed: ${message}`));
  });
  worker.on('exit', (code) => {
    if (!stopped) failAll(new Error(`logs write thread exited (code ${code})`));
  });

  return {
    get broken() {
      return broken;
    },
    get stopped() {
      return stopped;
    },
    upsert(entries) {
      if (broken || stopped) return Promise.reject(new Error('logs write thread is not running'));
      if (entries.length === 0) return Promise.resolve();
      const id = nextId++;
      if (idle) clearTimeout(idle);
      idle = undefined;
      return new Promise<void>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        worker.ref();
        worker.postMessage({ id, rows: entries });
      });
    },
  };
}

/** The file behind a SQLite handle's description (`sqlite:<path>`); undefined for in-memory ones. */
export function sqliteFileOf(description: string): string | undefined {
  if (!description.startsWith('sqlite:')) return undefined;
  const path = description.slice('sqlite:'.length);
  return path === '' || path === ':memory:' || path.startsWith('file:') ? undefined : path;
}

// Writes log rows into a SQLite logs database from a worker thread, on the worker's own connection
// to the same file (WAL lets the main connection read meanwhile). SQLite inserts run synchronously
// in the calling thread; with content logging a row costs tens of µs of index and page work, which
// on the main thread is taken from every request, and so is deriving a row's content columns from
// the request and response texts it carries. The worker prepares its statement once.
//
// Two ways in. `upsert` writes a batch in its own transaction and resolves once it is committed.
// `takeOver` hands rows to the thread for good: the main thread keeps no copy (rows kept there
// until a commit outlive the young generation and are promoted, at thousands of rows a second),
// and the thread commits what it holds every `commitMs` or `commitRows` rows — one commit per
// handful of rows costs SQLite half again per row in page writes. A commit that fails (the file
// is locked, full, gone) sends its rows back to the main thread (`custody.returned`), whose
// writer buffers and retries them as usual; when the failure is a row the database refuses (a
// constraint), the batch is written row by row and only the refused rows are lost (counted).
// While rows or a batch are in the thread it keeps the process alive (so a shutdown flush
// completes); idle, it does not hold the process open, and after a while without writes it stops
// (the store starts a new one with its next batch).
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { CONTENT_KIT_SOURCE } from '../../plugins/logging/content.js';
import { WRITER_DEFAULTS } from '../../plugins/logging/writer.js';
import type { CustodyHandlers, LogEntry } from '../../plugins/logging/types.js';
import { COLUMNS, SQLITE_ROW_UPSERT } from './upsert-sql.js';

// Plain CommonJS evaluated in the worker, so it runs the same from dist/ and under tsx in tests.
// Rows that carry their content as text (LogEntry.raw) get their content columns derived here,
// by the logging plugin's own content kit (its source is evaluated in the worker), so neither
// the parsing nor the serializing happens on the main thread.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
${CONTENT_KIT_SOURCE}
const kit = contentKit();
const text = (error) => (error instanceof Error ? error.message : String(error));
// A row the database refuses (NOT NULL, CHECK...) fails the same way on every retry.
const refusedRow = (error) => String(error && error.code).startsWith('SQLITE_CONSTRAINT');
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
  fatal = text(error);
}
let held = [];
let timer;
// Commits the rows taken over (see the file's header for what happens to rows that fail).
function commitHeld() {
  if (timer !== undefined) clearTimeout(timer);
  timer = undefined;
  const rows = held;
  held = [];
  if (rows.length === 0) return;
  try {
    write(rows);
    parentPort.postMessage({ settled: rows.length });
    return;
  } catch (error) {
    // Locked, full or gone: every row goes back. A refused row spoils only its batch: the rest
    // are written one by one.
    if (!refusedRow(error)) {
      parentPort.postMessage({ settled: rows.length, returned: rows, error: text(error) });
      return;
    }
  }
  const back = [];
  let refused = 0;
  let reason = '';
  for (const row of rows) {
    try {
      write([row]);
    } catch (error) {
      reason = text(error);
      if (refusedRow(error)) refused += 1;
      else back.push(row);
    }
  }
  parentPort.postMessage({ settled: rows.length, refused, returned: back, error: reason });
}
parentPort.on('message', (message) => {
  if (fatal !== undefined) {
    parentPort.postMessage(message.take
      ? { settled: message.rows.length, returned: message.rows, error: fatal, fatal: true }
      : { id: message.id, error: fatal, fatal: true });
    return;
  }
  if (message.take) {
    for (const row of message.rows) held.push(row);
    if (held.length >= workerData.commitRows) commitHeld();
    else if (timer === undefined) timer = setTimeout(commitHeld, workerData.commitMs);
    return;
  }
  try {
    commitHeld();
    if (message.rows) write(message.rows);
    parentPort.postMessage({ id: message.id });
  } catch (error) {
    parentPort.postMessage({ id: message.id, error: text(error) });
  }
});
`;

export interface WriteThread {
  upsert(entries: readonly LogEntry[]): Promise<void>;
  /** Hands rows to the thread for good (see above); false when it is not running or behind (the caller keeps them). */
  takeOver(entries: readonly LogEntry[]): boolean;
  /** Commits the rows taken over; resolves once they are written or handed back. */
  flush(): Promise<void>;
  /** Set once the worker itself failed (not a single write); the caller writes in-thread then. */
  readonly broken: boolean;
  /** Set once the worker was stopped after sitting idle; the caller starts a new one. */
  readonly stopped: boolean;
}

export interface WriteThreadOptions {
  idleStopMs?: number;
  /** Rows taken over are committed this long after the first of them arrived... */
  commitMs?: number;
  /** ...or as soon as this many are held. Both default to the log writer's batch interval and size. */
  commitRows?: number;
  /** Where rows taken over end up when they are not written (a thread that dies loses what it held). */
  custody?: CustodyHandlers;
}

/** An idle worker is stopped after this long, so a closed store leaves no thread behind for long. */
export const IDLE_STOP_MS = 30_000;

interface Waiter {
  resolve: () => void;
  reject: (error: Error) => void;
}

/** A reply to `upsert`/`flush` (with its `id`), or a report on rows taken over. */
interface ThreadMessage {
  id?: number;
  error?: string;
  fatal?: boolean;
  /** Rows taken over that this message settles (written, refused or returned). */
  settled?: number;
  refused?: number;
  returned?: LogEntry[];
}

/** Starts the worker for the SQLite file at `path`. */
export function startWriteThread(path: string, options: WriteThreadOptions = {}): WriteThread {
  const idleStopMs = options.idleStopMs ?? IDLE_STOP_MS;
  const custody = options.custody;
  const commitRows = options.commitRows ?? WRITER_DEFAULTS.maxBatch;
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    execArgv: [],
    workerData: {
      driver, path, sql: SQLITE_ROW_UPSERT, columns: COLUMNS,
      commitMs: options.commitMs ?? WRITER_DEFAULTS.flushIntervalMs, commitRows,
    },
  });
  worker.unref();
  const waiting = new Map<number, Waiter>();
  /** Rows taken over and not yet settled by the worker. */
  let held = 0;
  const maxHeld = 4 * commitRows;
  let nextId = 1;
  let broken = false;
  let stopped = false;
  let idle: NodeJS.Timeout | undefined;
  const busy = (): void => {
    if (idle) clearTimeout(idle);
    idle = undefined;
    worker.ref();
  };
  const settle = (): void => {
    if (waiting.size > 0 || held > 0) return;
    worker.unref();
    if (idle) clearTimeout(idle);
    idle = setTimeout(() => {
      idle = undefined;
      if (waiting.size > 0 || held > 0) return;
      stopped = true;
      void worker.terminate();
    }, idleStopMs);
    idle.unref();
  };

  const failAll = (error: Error): void => {
    broken = true;
    for (const waiter of waiting.values()) waiter.reject(error);
    waiting.clear();
    if (held > 0) custody?.lost(held, error.message);
    held = 0;
  };
  worker.on('message', (message: ThreadMessage) => {
    // The worker could not open the file or prepare its statement: retire it for good.
    if (message.fatal) broken = true;
    const returned = message.returned ?? [];
    held -= message.settled ?? 0;
    const written = (message.settled ?? 0) - (message.refused ?? 0) - returned.length;
    if (written > 0) custody?.committed(written);
    if (message.refused) custody?.lost(message.refused, message.error ?? 'refused by the database');
    if (returned.length > 0) custody?.returned(returned, message.error ?? 'not written');
    if (message.id !== undefined) {
      const waiter = waiting.get(message.id);
      waiting.delete(message.id);
      if (message.error === undefined) waiter?.resolve();
      else waiter?.reject(new Error(message.error));
    }
    settle();
  });
  worker.on('error', (error: unknown) => {
    const message = error && typeof error === 'object' && 'message' in error ? String(error.message) : String(error);
    failAll(new Error(`logs write thread failed: ${message}`));
  });
  worker.on('exit', (code) => {
    if (!stopped) failAll(new Error(`logs write thread exited (code ${code})`));
  });

  const request = (rows: readonly LogEntry[] | undefined): Promise<void> => {
    if (broken || stopped) return Promise.reject(new Error('logs write thread is not running'));
    const id = nextId++;
    busy();
    return new Promise<void>((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      worker.postMessage({ id, rows });
    });
  };

  return {
    get broken() {
      return broken;
    },
    get stopped() {
      return stopped;
    },
    upsert(entries) {
      if (entries.length === 0 && !broken && !stopped) return Promise.resolve();
      return request(entries);
    },
    takeOver(entries) {
      // A thread that falls behind takes no more: the caller's writer then waits for its writes
      // (and buffers, up to its capacity) instead of queueing messages here without bound.
      if (broken || stopped || held >= maxHeld) return false;
      if (entries.length === 0) return true;
      busy();
      held += entries.length;
      worker.postMessage({ take: true, rows: entries });
      return true;
    },
    flush() {
      return broken || stopped ? Promise.resolve() : request(undefined);
    },
  };
}

/** The file behind a SQLite handle's description (`sqlite:<path>`); undefined for in-memory ones. */
export function sqliteFileOf(description: string): string | undefined {
  if (!description.startsWith('sqlite:')) return undefined;
  const path = description.slice('sqlite:'.length);
  return path === '' || path === ':memory:' || path.startsWith('file:') ? undefined : path;
}

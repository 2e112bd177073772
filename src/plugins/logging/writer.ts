// The asynchronous batched writer between the logging plugin and its store. Producers call
// `enqueue` (synchronous, never blocks, never throws); a background loop writes batches of up to
// `maxBatch` rows (and at most about `maxBatchBytes` of row text) every `flushIntervalMs`, or
// sooner once a full batch is waiting. A create and an update of the same request that meet in the
// buffer collapse into one write. Buffered rows may be RowSources, built only when their batch is
// taken (so a row is built once, as its latest version, and never inside the producer's call).
// While the store fails, rows stay buffered (bounded by `capacity`), writes are retried with
// backoff, rows that do not fit are counted as dropped, and one warning per outage is logged.
import type { Logger } from '../../core/index.js';
import type { RowSource } from './row.js';
import type { LogEntry, LogStore } from './types.js';

export interface WriterOptions {
  maxBatch?: number;
  /** A batch is closed once its rows' text reaches this many characters (0: no limit). */
  maxBatchBytes?: number;
  flushIntervalMs?: number;
  /** Rows held at most (buffered + being written). */
  capacity?: number;
  /** Longest pause between retries while the store is failing. */
  maxBackoffMs?: number;
  logger: Logger;
}

export interface WriterStats {
  pending: number;
  written: number;
  dropped: number;
  failedWrites: number;
  healthy: boolean;
}

export interface LogWriter {
  enqueue(row: LogEntry | RowSource): void;
  stats(): WriterStats;
  /** Resolves once everything buffered before the call is written (or `timeoutMs` passes). */
  flush(timeoutMs?: number): Promise<boolean>;
  /** Stops the loop after a last flush; rows still unwritten after `timeoutMs` count as dropped. */
  close(timeoutMs?: number): Promise<void>;
}

export function createLogWriter(store: LogStore, options: WriterOptions): LogWriter {
  const maxBatch = options.maxBatch ?? 1000;
  const maxBytes = options.maxBatchBytes ?? 0;
  const interval = options.flushIntervalMs ?? 250;
  const capacity = options.capacity ?? 100_000;
  const maxBackoff = options.maxBackoffMs ?? 5000;
  const { logger } = options;
  const buffer = new Map<string, LogEntry | RowSource>();
  const droppedIds = new Set<string>();
  let inFlight = 0;
  let written = 0;
  let dropped = 0;
  let failedWrites = 0;
  let healthy = true;
  let soon: NodeJS.Immediate | undefined;
  let backoff = 0;
  let writing: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let droppedSinceWarn = 0;

  const build = (row: LogEntry | RowSource): LogEntry => ('entry' in row && typeof row.entry === 'function' ? row.entry() : row as LogEntry);

  /** Takes the next batch off the buffer, building each row; a row that cannot be built is lost. */
  const takeBatch = (): { sources: (LogEntry | RowSource)[]; entries: LogEntry[] } => {
    const sources: (LogEntry | RowSource)[] = [];
    const entries: LogEntry[] = [];
    let bytes = 0;
    for (const [id, row] of buffer) {
      buffer.delete(id);
      let entry: LogEntry;
      try {
        entry = build(row);
      } catch (error) {
        dropped += 1;
        logger.warn({ err: error instanceof Error ? error.message : String(error), id }, 'could not build a request log row');
        continue;
      }
      sources.push(row);
      entries.push(entry);
      if (maxBytes > 0) bytes += rowSize(entry);
      if (entries.length >= maxBatch || (maxBytes > 0 && bytes >= maxBytes)) break;
    }
    return { sources, entries };
  };

  async function drain(): Promise<void> {
    if (writing) return;
    while (buffer.size > 0) {
      const { sources, entries: batch } = takeBatch();
      if (batch.length === 0) continue;
      inFlight = batch.length;
      writing = store.upsert(batch);
      try {
        await writing;
        written += batch.length;
        backoff = 0;
        if (!healthy) {
          healthy = true;
          logger.info({ dropped: droppedSinceWarn, pending: buffer.size }, 'logs store reachable again; writing buffered rows');
          droppedSinceWarn = 0;
        }
      } catch (error) {
        failedWrites += 1;
        // Put the batch back unless a newer version of the same row arrived meanwhile.
        for (const row of sources) if (!buffer.has(row.id)) buffer.set(row.id, row);
        if (healthy) {
          healthy = false;
          logger.warn({ err: error instanceof Error ? error.message : String(error), pending: buffer.size },
            'logs store unreachable; buffering request logs and retrying');
        }
        backoff = Math.min(maxBackoff, backoff === 0 ? Math.max(50, interval) : backoff * 2);
        return;
      } finally {
        inFlight = 0;
        writing = undefined;
      }
      if (buffer.size < maxBatch) break;
    }
  }

  // One loop drives everything: after each drain, wait the interval (or the backoff while failing).
  const loop = (): void => {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void drain().finally(loop);
    }, backoff || interval);
    timer.unref();
  };
  loop();

  return {
    enqueue(row) {
      if (closed) {
        dropped += 1;
        return;
      }
      const { id } = row;
      if (!buffer.has(id) && buffer.size + inFlight >= capacity) {
        // Count rows, not writes: the update of a row whose create was already dropped is the same
        // lost row.
        if (droppedIds.delete(id)) return;
        if (droppedIds.size >= capacity) droppedIds.clear();
        droppedIds.add(id);
        dropped += 1;
        droppedSinceWarn += 1;
        if (droppedSinceWarn === 1 || droppedSinceWarn % 10_000 === 0) {
          logger.warn({ dropped, capacity }, 'request log buffer full; dropping log rows');
        }
        return;
      }
      // A final row whose create was dropped still arrives whole: it is no longer lost.
      if (droppedIds.delete(id)) dropped -= 1;
      buffer.set(id, row);
      if (healthy && buffer.size >= maxBatch && !writing && !soon) {
        // A full batch is waiting: write it right after the current work, not inside the caller's
        // call (building a batch of rows there would stall the request that happened to fill it,
        // and read its response body before the transport has sent it).
        soon = setImmediate(() => {
          soon = undefined;
          if (timer) clearTimeout(timer);
          timer = undefined;
          void drain().finally(loop);
        });
      }
    },
    stats() {
      return { pending: buffer.size + inFlight, written, dropped, failedWrites, healthy };
    },
    async flush(timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (buffer.size > 0 || writing) {
        if (Date.now() > deadline) return false;
        if (writing) await writing.catch(() => undefined);
        else await drain();
        if (!healthy && buffer.size > 0) await new Promise((r) => setTimeout(r, Math.min(backoff || 50, 500)));
      }
      return true;
    },
    async close(timeoutMs = 10_000) {
      const done = await this.flush(timeoutMs);
      closed = true;
      if (soon) clearImmediate(soon);
      if (timer) clearTimeout(timer);
      timer = undefined;
      if (!done) {
        dropped += buffer.size;
        logger.warn({ lost: buffer.size }, 'logs store did not accept buffered rows before shutdown');
        buffer.clear();
      }
    },
  };
}

/** Characters of a row's text columns (or the text they will be derived from), plus a flat allowance for the rest. */
function rowSize(entry: LogEntry): number {
  const { raw } = entry;
  const carried = raw === undefined ? 0 : (raw.request?.length ?? 0) + (raw.response?.length ?? 0)
    + (raw.input?.json?.length ?? 0) + (raw.output?.json?.length ?? 0);
  return 200 + carried + (entry.input_history?.length ?? 0) + (entry.output_message?.length ?? 0)
    + (entry.error_details?.length ?? 0) + (entry.content_summary?.length ?? 0);
}

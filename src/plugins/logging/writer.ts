// The asynchronous batched writer between the logging plugin and its store. Producers call
// `enqueue` (synchronous, never blocks, never throws). Writes are group commits: one batch is in
// flight at a time and the next one takes every finished row that arrived meanwhile (up to
// `maxBatch` rows and about `maxBatchBytes` of row text), so batches grow with the load and a
// finished row waits only for the write before it. Rows held for the 250 ms of an interval-driven
// batch outlived the young generation: at 10k requests/s that was thousands of request and
// response texts promoted to the old space, which costs the event loop more than the extra
// commits. A still-running request's `processing` row is held back for `flushIntervalMs`: most
// requests end before that, and their start and end then collapse into one write.
// Buffered rows may be RowSources, built only when their batch is taken (so a row is built once,
// as its latest version, and never inside the producer's call).
// While the store fails, rows stay buffered (bounded by `capacity`), writes are retried with
// backoff, rows that do not fit are counted as dropped, and one warning per outage is logged.
// A row carries its request and response texts, so a count alone does not bound memory: once the
// rows held carry `maxBufferBytes` of text, new rows are kept without their content (counted as
// `contentDropped`), so every request still gets its row. Both bounds also hold when the store is
// up but slower than the traffic.
import type { Logger } from '../../core/index.js';
import type { RowSource } from './row.js';
import type { LogEntry, LogStore } from './types.js';

export interface WriterOptions {
  maxBatch?: number;
  /** A batch is closed once its rows' text reaches this many characters (0: no limit). */
  maxBatchBytes?: number;
  /** How long a still-running request's `processing` row is held back (and the retry pace). */
  flushIntervalMs?: number;
  /** Rows held at most (buffered + being written). */
  capacity?: number;
  /** Characters of row text held (buffered + being written, as `rowSize` counts them) past which rows lose their content. */
  maxBufferBytes?: number;
  /** Longest pause between retries while the store is failing. */
  maxBackoffMs?: number;
  logger: Logger;
}

export interface WriterStats {
  pending: number;
  written: number;
  dropped: number;
  /** Rows kept without their content because the rows held carried `maxBufferBytes` of text. */
  contentDropped: number;
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

/** Batch size and interval when the config sets none (Bifrost's `logs_store.writer` defaults). */
export const WRITER_DEFAULTS = { maxBatch: 1000, flushIntervalMs: 250 } as const;

/** Row text held before rows lose their content, when the config sets no bound: 64 MiB, about 2,000 rows with 30 KB prompts. */
const DEFAULT_MAX_BUFFER_BYTES = 64 * 1024 * 1024;

export function createLogWriter(store: LogStore, options: WriterOptions): LogWriter {
  const maxBatch = options.maxBatch ?? WRITER_DEFAULTS.maxBatch;
  const maxBytes = options.maxBatchBytes ?? 0;
  const interval = options.flushIntervalMs ?? WRITER_DEFAULTS.flushIntervalMs;
  const capacity = options.capacity ?? 100_000;
  const maxBufferBytes = options.maxBufferBytes ?? DEFAULT_MAX_BUFFER_BYTES;
  const maxBackoff = options.maxBackoffMs ?? 5000;
  const { logger } = options;
  /** Rows to write, in arrival order. */
  const ready = new Map<string, LogEntry | RowSource>();
  /** `processing` rows held back until they are `interval` old (insertion order is age order). */
  const held = new Map<string, { row: RowSource; since: number }>();
  const droppedIds = new Set<string>();
  /** Size of each row in `ready` and `held` (see rowSize), and their sum. */
  const sizes = new Map<string, number>();
  let bufferedBytes = 0;
  /** Size of the rows being written or in the store's custody, and the custody's in the order taken. */
  let outBytes = 0;
  const custodySizes: number[] = [];
  let custodyHead = 0;
  let inFlight = 0;
  /** Rows the store took (custody) and has not yet reported written, refused or returned. */
  let taken = 0;
  let written = 0;
  let dropped = 0;
  let contentDropped = 0;
  /** Set while rows are being shed, so an episode is warned about once. */
  let shedding = false;
  let failedWrites = 0;
  let healthy = true;
  let soon: NodeJS.Immediate | undefined;
  let backoff = 0;
  let writing: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let droppedSinceWarn = 0;

  // A store that takes rows for good (the SQLite write thread) gets each batch without a wait; the
  // rows it cannot write come back here and are retried like any failed batch.
  const custody = store.custody?.({
    committed(count) {
      written += count;
      taken -= count;
      settleCustody(count);
      if (healthy) return;
      recovered();
      if (ready.size > 0) kick();
    },
    returned(rows, error) {
      taken -= rows.length;
      settleCustody(rows.length);
      failedWrites += 1;
      for (const row of rows) {
        if (ready.has(row.id) || held.has(row.id)) continue;
        ready.set(row.id, row);
        track(row.id, row);
      }
      unhealthy(error);
    },
    lost(count, error) {
      taken -= count;
      settleCustody(count);
      dropped += count;
      logger.warn({ err: error, lost: count }, 'request log rows refused by the logs store');
    },
  });

  const unhealthy = (error: string): void => {
    if (healthy) {
      healthy = false;
      logger.warn({ err: error, pending: ready.size + held.size }, 'logs store unreachable; buffering request logs and retrying');
    }
    backoff = Math.min(maxBackoff, backoff === 0 ? Math.max(50, interval) : backoff * 2);
  };
  const recovered = (): void => {
    backoff = 0;
    if (!healthy) {
      healthy = true;
      logger.info({ dropped: droppedSinceWarn, pending: ready.size + held.size }, 'logs store reachable again; writing buffered rows');
      droppedSinceWarn = 0;
    }
  };

  /** Counts the size of a row entering `ready` or `held` in place of any earlier version's. */
  const track = (id: string, row: LogEntry | RowSource): void => {
    const size = isSource(row) ? row.size?.() ?? 200 : rowSize(row);
    bufferedBytes += size - (sizes.get(id) ?? 0);
    sizes.set(id, size);
  };
  /** The rows the store had in custody settled (written, refused or handed back), oldest first. */
  function settleCustody(count: number): void {
    for (let i = 0; i < count && custodyHead < custodySizes.length; i++) outBytes -= custodySizes[custodyHead++]!;
    if (custodyHead > 1024 && custodyHead * 2 > custodySizes.length) {
      custodySizes.splice(0, custodyHead);
      custodyHead = 0;
    }
  }

  /** The row without its content, counted once per row that had some. */
  const shed = (row: LogEntry | RowSource): LogEntry | RowSource => {
    let had: boolean;
    if (isSource(row)) {
      had = row.shedContent?.() ?? false;
    } else {
      had = hasContent(row);
      if (had) row = withoutContent(row);
    }
    if (had) {
      contentDropped += 1;
      if (!shedding) {
        shedding = true;
        logger.warn({ maxBufferBytes, contentDropped }, 'request log rows waiting carry too much text; logging new rows without their content');
      }
    }
    return row;
  };

  const build = (row: LogEntry | RowSource): LogEntry => (isSource(row) ? row.entry() : row);
  const running = (row: LogEntry | RowSource): row is RowSource => 'ended' in row && row.ended === false;

  /** Moves held rows that are old enough (all of them with `all`) to the ready rows. */
  const release = (all: boolean): void => {
    const cutoff = Date.now() - interval;
    for (const [id, { row, since }] of held) {
      if (!all && since > cutoff) break;
      held.delete(id);
      ready.set(id, row);
    }
  };

  /** Takes the next batch off the ready rows, building each; a row that cannot be built is lost. */
  const takeBatch = (): { sources: (LogEntry | RowSource)[]; entries: LogEntry[]; sizesTaken: number[] } => {
    const sources: (LogEntry | RowSource)[] = [];
    const entries: LogEntry[] = [];
    const sizesTaken: number[] = [];
    let bytes = 0;
    for (const [id, row] of ready) {
      ready.delete(id);
      const size = sizes.get(id) ?? 0;
      sizes.delete(id);
      bufferedBytes -= size;
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
      sizesTaken.push(size);
      if (maxBytes > 0) bytes += rowSize(entry);
      if (entries.length >= maxBatch || (maxBytes > 0 && bytes >= maxBytes)) break;
    }
    return { sources, entries, sizesTaken };
  };

  async function drain(): Promise<void> {
    if (writing) return;
    while (ready.size > 0) {
      const { sources, entries: batch, sizesTaken } = takeBatch();
      if (batch.length === 0) continue;
      let batchBytes = 0;
      for (const size of sizesTaken) batchBytes += size;
      outBytes += batchBytes;
      if (custody?.take(batch)) {
        taken += batch.length;
        custodySizes.push(...sizesTaken);
        continue;
      }
      inFlight = batch.length;
      writing = store.upsert(batch);
      try {
        await writing;
        written += batch.length;
        recovered();
      } catch (error) {
        failedWrites += 1;
        // Put the batch back unless a newer version of the same row arrived meanwhile.
        for (const row of sources) {
          if (ready.has(row.id) || held.has(row.id)) continue;
          ready.set(row.id, row);
          track(row.id, row);
        }
        unhealthy(error instanceof Error ? error.message : String(error));
        return;
      } finally {
        inFlight = 0;
        outBytes -= batchBytes;
        writing = undefined;
      }
    }
  }

  /** Starts a write right after the current work, unless one is running (it takes these rows next). */
  const kick = (): void => {
    if (!healthy || writing || soon || closed) return;
    soon = setImmediate(() => {
      soon = undefined;
      void drain();
    });
  };

  // The timer releases held rows as they age and, while the store fails, retries after the backoff.
  const loop = (): void => {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      release(false);
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
      if (!ready.has(id) && !held.has(id) && ready.size + held.size + inFlight + taken >= capacity) {
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
      if (bufferedBytes + outBytes >= maxBufferBytes) row = shed(row);
      else shedding = false;
      if (running(row)) {
        // Already released (a long request): it stays where it is and is written as it stands.
        if (!ready.has(id) && !held.has(id)) {
          held.set(id, { row, since: Date.now() });
          track(id, row);
        }
        return;
      }
      held.delete(id);
      ready.set(id, row);
      track(id, row);
      kick();
    },
    stats() {
      return { pending: ready.size + held.size + inFlight + taken, written, dropped, contentDropped, failedWrites, healthy };
    },
    async flush(timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      release(true);
      for (;;) {
        while (ready.size > 0 || writing) {
          if (Date.now() > deadline) return false;
          if (writing) await writing.catch(() => undefined);
          else await drain();
          if (!healthy && ready.size > 0) await new Promise((r) => setTimeout(r, Math.min(backoff || 50, 500)));
        }
        // Rows the store took are written now; any it hands back go round again.
        if (custody) await custody.flush();
        if (ready.size === 0) return true;
        if (Date.now() > deadline) return false;
      }
    },
    async close(timeoutMs = 10_000) {
      const done = await this.flush(timeoutMs);
      closed = true;
      if (soon) clearImmediate(soon);
      if (timer) clearTimeout(timer);
      timer = undefined;
      if (!done) {
        const lost = ready.size + held.size;
        dropped += lost;
        logger.warn({ lost }, 'logs store did not accept buffered rows before shutdown');
        ready.clear();
        held.clear();
        sizes.clear();
        bufferedBytes = 0;
      }
    },
  };
}

function hasContent(entry: LogEntry): boolean {
  return entry.raw !== undefined || entry.input_history !== null || entry.output_message !== null || entry.content_summary !== null;
}

/** A copy of a row without its request and response texts (the columns hasContent reads). */
export function withoutContent(entry: LogEntry): LogEntry {
  const copy: LogEntry = { ...entry, input_history: null, output_message: null, content_summary: null };
  delete copy.raw;
  return copy;
}

/** Characters in a list of texts (a stream's chunks); 0 without one. */
export function textLength(texts: readonly string[] | undefined): number {
  let length = 0;
  if (texts) for (const text of texts) length += text.length;
  return length;
}

function isSource(row: LogEntry | RowSource): row is RowSource {
  return 'entry' in row && typeof row.entry === 'function';
}

/** Characters of a row's text columns (or the text they will be derived from), plus a flat allowance for the rest. */
export function rowSize(entry: LogEntry): number {
  const { raw } = entry;
  const carried = raw === undefined ? 0 : (raw.request?.length ?? 0) + (raw.response?.length ?? 0)
    + textLength(raw.stream?.chunks) + (raw.input?.json?.length ?? 0) + (raw.output?.json?.length ?? 0);
  return 200 + carried + (entry.input_history?.length ?? 0) + (entry.output_message?.length ?? 0)
    + (entry.error_details?.length ?? 0) + (entry.content_summary?.length ?? 0);
}

// The logging plugin: one log row per request. On `request.start` it records a `processing`
// row and tells live subscribers ("create"); on `request.end` it completes the row and tells them
// again ("update"). Rows go to the batched writer, so nothing here waits for the database, and
// they go as PendingRows (row.ts): the columns are built when the writer takes them, or at once
// only when a live subscriber is listening.
import { randomUUID } from 'node:crypto';
import type { Clock, GatewayEvent, InferenceRequest, Logger, Plugin, RequestContext, RequestSummary } from '../../core/index.js';
import { silentLogger, systemClock } from '../../core/index.js';
import { contentAllowed, fallbackEntries, governanceOf, resolveContent, splitsIntoAttempts } from './entry.js';
import { PendingRow } from './row.js';
import type { LiveLogEvent, LogEntry, LogStore } from './types.js';
import { createLogWriter, type LogWriter, type WriterOptions, type WriterStats } from './writer.js';

export const LOGGING_PLUGIN_NAME = 'logging';

/** Requests tracked between start and end; beyond this the oldest is forgotten. */
const MAX_TRACKED = 100_000;

/** The writer's settings (batch size and bytes, interval, capacity) go straight to it. */
export interface LoggingOptions extends Omit<WriterOptions, 'logger'> {
  store: LogStore;
  /** Read per request, so a config change applies to the next request. */
  contentLoggingDisabled?: () => boolean;
  logger?: Logger;
  clock?: Clock;
}

export interface LoggingPlugin extends Plugin {
  /** Live row events for the `/ws` stream. Returns an unsubscribe function. */
  subscribe(listener: (event: LiveLogEvent) => void): () => void;
  stats(): WriterStats;
  /** Waits until everything enqueued so far is written. */
  flush(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

export function createLoggingPlugin(options: LoggingOptions): LoggingPlugin {
  const logger = options.logger ?? silentLogger;
  const clock = options.clock ?? systemClock;
  const disabled = options.contentLoggingDisabled ?? (() => false);
  const writer: LogWriter = createLogWriter(options.store, { ...options, logger });
  const started = new Map<string, PendingRow>();
  const listeners = new Set<(event: LiveLogEvent) => void>();

  // Rows are built and live events sent right after the current work, once the transport has
  // written the response (building a row inside `observe` would read the body before it is sent).
  // A finished row is built then rather than when its batch is written, so the request's objects
  // are released young instead of waiting in the buffer long enough to be promoted. Immediates
  // run in order, so a request's `create` still precedes its `update`.
  const publish = (operation: LiveLogEvent['operation'], row: PendingRow): void => {
    setImmediate(publishNow, operation, row);
  };
  const publishNow = (operation: LiveLogEvent['operation'], row: PendingRow): void => {
    if (operation === 'update') row.entry();
    if (listeners.size === 0) return;
    // Subscribers get rows with their content columns, derived here (only while someone listens).
    notify(operation, operation === 'create' ? row.liveStartEntry() : row.liveEntry());
  };
  const notify = (operation: LiveLogEvent['operation'], entry: LogEntry): void => {
    for (const listener of listeners) {
      try {
        listener({ operation, entry });
      } catch (error) {
        logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'live log listener failed');
      }
    }
  };

  /** The rows of the fallbacks a request went on to (Bifrost logs each attempt as its own row). */
  const logFallbacks = (row: PendingRow, summary: RequestSummary): void => {
    try {
      for (const entry of fallbackEntries(summary, row.startEntry(), randomUUID)) {
        writer.enqueue(entry);
        if (listeners.size === 0) continue;
        const live = resolveContent(entry);
        notify('create', live);
        notify('update', live);
      }
    } catch (error) {
      logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'request logging failed');
    }
  };

  const pending = (request: InferenceRequest, ctx: RequestContext, now: number): PendingRow => {
    const gov = governanceOf(ctx);
    return new PendingRow(ctx.requestId, now, request, ctx, contentAllowed(ctx, disabled(), gov), gov);
  };

  const observe = (event: GatewayEvent): void => {
    try {
      if (event.type === 'request.start') {
        const row = pending(event.request, event.ctx, clock.now());
        if (started.size >= MAX_TRACKED) {
          const oldest = started.keys().next().value;
          if (oldest !== undefined) started.delete(oldest);
        }
        started.set(row.id, row);
        writer.enqueue(row);
        if (listeners.size > 0) publish('create', row);
      } else if (event.type === 'request.end') {
        const { summary } = event;
        const row = started.get(summary.requestId) ?? pending(summary.request, summary.ctx, clock.now() - summary.latencyMs);
        started.delete(summary.requestId);
        row.end(summary);
        // Still buffered (the usual case): this replaces the row by itself, one write in all.
        writer.enqueue(row);
        publish('update', row);
        if (splitsIntoAttempts(summary)) setImmediate(logFallbacks, row, summary);
      }
    } catch (error) {
      logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'request logging failed');
    }
  };

  return {
    name: LOGGING_PLUGIN_NAME,
    observes: ['request.start', 'request.end'],
    observe,
    subscribe(listener) {
      listeners.add(listener);
      return () => { listeners.delete(listener); };
    },
    stats: () => writer.stats(),
    flush: (timeoutMs) => writer.flush(timeoutMs),
    async close() {
      await writer.close();
      listeners.clear();
    },
  };
}

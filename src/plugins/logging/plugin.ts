// The logging plugin: one log row per request. On `request.start` it records a `processing`
// row and tells live subscribers ("create"); on `request.end` it completes the row and tells them
// again ("update"). Rows go to the batched writer, so nothing here waits for the database.
import type { Clock, GatewayEvent, Logger, Plugin } from '../../core/index.js';
import { silentLogger, systemClock } from '../../core/index.js';
import { contentAllowed, endEntry, startEntry } from './entry.js';
import type { LiveLogEvent, LogEntry, LogStore } from './types.js';
import { createLogWriter, type LogWriter, type WriterStats } from './writer.js';

export const LOGGING_PLUGIN_NAME = 'logging';

/** Requests tracked between start and end; beyond this the oldest is forgotten. */
const MAX_TRACKED = 100_000;

export interface LoggingOptions {
  store: LogStore;
  /** Read per request, so a config change applies to the next request. */
  contentLoggingDisabled?: () => boolean;
  logger?: Logger;
  clock?: Clock;
  maxBatch?: number;
  flushIntervalMs?: number;
  capacity?: number;
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
  const writer: LogWriter = createLogWriter(options.store, {
    logger,
    ...(options.maxBatch !== undefined ? { maxBatch: options.maxBatch } : {}),
    ...(options.flushIntervalMs !== undefined ? { flushIntervalMs: options.flushIntervalMs } : {}),
    ...(options.capacity !== undefined ? { capacity: options.capacity } : {}),
  });
  const started = new Map<string, LogEntry>();
  const listeners = new Set<(event: LiveLogEvent) => void>();

  const publish = (operation: LiveLogEvent['operation'], entry: LogEntry): void => {
    for (const listener of listeners) {
      try {
        listener({ operation, entry });
      } catch (error) {
        logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'live log listener failed');
      }
    }
  };

  const observe = (event: GatewayEvent): void => {
    try {
      if (event.type === 'request.start') {
        const entry = startEntry(event.request, event.ctx, { now: clock.now(), content: contentAllowed(event.ctx, disabled()) });
        if (started.size >= MAX_TRACKED) {
          const oldest = started.keys().next().value;
          if (oldest !== undefined) started.delete(oldest);
        }
        started.set(entry.id, entry);
        writer.enqueue(entry);
        publish('create', entry);
      } else if (event.type === 'request.end') {
        const { summary } = event;
        const start = started.get(summary.requestId)
          ?? startEntry(summary.request, summary.ctx, { now: clock.now() - summary.latencyMs, content: contentAllowed(summary.ctx, disabled()) });
        started.delete(summary.requestId);
        const entry = endEntry(summary, start);
        writer.enqueue(entry);
        publish('update', entry);
      }
    } catch (error) {
      logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'request logging failed');
    }
  };

  return {
    name: LOGGING_PLUGIN_NAME,
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

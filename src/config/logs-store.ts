// The part of `logs_store` the config loader checks itself: the asynchronous writer's tuning,
// Bifrost's `logs_store.writer` {max_batch_size, batch_interval, max_batch_bytes,
// write_queue_capacity, deferred_usage_concurrency}, plus `write_queue_max_bytes`, which bounds the
// queue by the size of its rows. The store connection (`type`, `config`) is
// validated where the store is opened (src/storage), so the rest of the block stays loose here.
// A bad value is a config error naming its key (`logs_store.writer.max_batch_size: ...`).
import { z } from 'zod';
import { goDurationMs } from '../core/index.js';

/** Longest batch interval accepted: rows must not sit unwritten for longer than this. */
const MAX_INTERVAL_MS = 60 * 60 * 1000;

/** A Go duration (`250ms`, `5s`, `1m`) or a number of seconds, as milliseconds. */
const durationMs = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const ms = typeof value === 'number' ? value * 1000 : goDurationMs(value);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected a duration such as "250ms", "5s" or "1m", got "${value}"` });
    return z.NEVER;
  }
  if (!Number.isFinite(ms) || ms < 1 || ms > MAX_INTERVAL_MS) {
    ctx.addIssue({ code: 'custom', message: 'must be between 1ms and 1h' });
    return z.NEVER;
  }
  return Math.round(ms);
});

export const logsWriterSchema = z.looseObject({
  /** Rows per write. */
  max_batch_size: z.number().int().min(1).max(100_000).optional(),
  /** How long a still-running request's `processing` row waits to be written; the SQLite write thread's commit interval. */
  batch_interval: durationMs.optional(),
  /** Characters of row text per write (content makes rows large); 0 or absent: no limit. */
  max_batch_bytes: z.number().int().nonnegative().optional(),
  /** Rows held at most while the store is slow or unreachable; beyond it rows are counted as dropped. */
  write_queue_capacity: z.number().int().min(1).max(10_000_000).optional(),
  /** Characters of row text held at most, likewise (ours; default 64 MiB): rows carry request and response text. */
  write_queue_max_bytes: z.number().int().min(1).optional(),
  /** Accepted for Bifrost compatibility; usage is not written separately here. */
  deferred_usage_concurrency: z.number().int().min(1).optional(),
});

export const logsStoreSchema = z.looseObject({
  writer: logsWriterSchema.optional(),
});

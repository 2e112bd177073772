// Persists usage off the request path: every interval (Bifrost: 10 s) the cells that changed are
// drained from the counters and written to the config store; `stop()` does a last flush so a
// graceful shutdown loses nothing. A failed write puts the cells back to be retried next tick
// (newer values win if the counter moved meanwhile).
import type { CounterState, Logger, UsageCounters } from '../../core/index.js';

export interface UsageSink {
  saveUsage(states: readonly CounterState[]): Promise<void>;
}

export class UsageFlusher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private retry = new Map<string, CounterState>();

  constructor(private readonly counters: UsageCounters, private readonly sink: UsageSink,
    private readonly options: { intervalMs: number; logger: Logger }) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.flush(), this.options.intervalMs);
    this.timer.unref();
  }

  /** Writes what changed since the last flush; concurrent calls share one write. */
  flush(): Promise<void> {
    if (this.running) return this.running.then(() => this.flush());
    const drained = this.counters.drainDirty();
    for (const state of drained) this.retry.set(state.key, state);
    if (this.retry.size === 0) return Promise.resolve();
    const batch = [...this.retry.values()];
    this.retry = new Map();
    this.running = this.sink.saveUsage(batch).catch((error: unknown) => {
      this.options.logger.warn({ err: error, cells: batch.length }, 'governance: usage flush failed; will retry');
      for (const state of batch) if (!this.retry.has(state.key)) this.retry.set(state.key, state);
    }).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}

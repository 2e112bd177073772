// Per-provider admission: at most `concurrency` requests in flight, at most `buffer_size` waiting.
// When the buffer is full a request either waits for room (Bifrost blocks on its channel) or, with
// `client.drop_excess_requests`, is refused at once with 429 `request_dropped`. A caller that
// aborts while waiting leaves the queue immediately. Limits follow config changes on each acquire.
import { GatewayError } from '../errors.js';
import type { Cancellation } from '../cancellation.js';
import type { ConcurrencyConfig } from '../runtime-config.js';

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
  unsubscribe: (() => void) | undefined;
  done: boolean;
}

export function requestDropped(provider: string): GatewayError {
  return new GatewayError('request dropped: queue is full', { status: 429, type: 'request_dropped', provider, allowFallbacks: true });
}

export class ProviderQueue {
  private active = 0;
  private waiters: Waiter[] = [];
  private head = 0;
  private queued = 0;

  constructor(private readonly provider: string, private limits: ConcurrencyConfig) {}

  get inFlight(): number { return this.active; }
  get waiting(): number { return this.queued; }

  /** Returns undefined when a slot was free (no promise allocated), else a promise of one. */
  acquire(limits: ConcurrencyConfig, dropExcess: boolean, cancellation?: Cancellation): Promise<void> | undefined {
    this.limits = limits;
    const max = limits.concurrency > 0 ? limits.concurrency : Infinity;
    if (this.active < max && this.queued === 0) { this.active++; return undefined; }
    if (dropExcess && this.queued >= Math.max(0, limits.buffer_size)) return Promise.reject(requestDropped(this.provider));
    if (cancellation?.aborted) return Promise.reject(cancellation.reason);
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, done: false, unsubscribe: undefined };
      waiter.unsubscribe = cancellation?.onAbort((reason) => {
        if (waiter.done) return;
        waiter.done = true;
        this.queued--;
        reject(reason);
      });
      this.waiters.push(waiter);
      this.queued++;
    });
  }

  /** Frees a slot and hands it to the next live waiter. */
  release(): void {
    this.active--;
    const max = this.limits.concurrency > 0 ? this.limits.concurrency : Infinity;
    while (this.active < max && this.head < this.waiters.length) {
      const waiter = this.waiters[this.head++]!;
      if (waiter.done) continue;
      waiter.done = true;
      this.queued--;
      waiter.unsubscribe?.();
      this.active++;
      waiter.resolve();
    }
    if (this.head > 1024 || this.head === this.waiters.length) {
      this.waiters = this.waiters.slice(this.head);
      this.head = 0;
    }
  }
}

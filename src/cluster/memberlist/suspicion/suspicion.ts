// The Lifeguard suspicion timer: starts at the maximum timeout when confirmations are expected and
// shrinks toward the minimum (logarithmically) as distinct peers independently confirm the
// suspicion. The accuser that started it is not counted as a confirmation.
import type { TimerClock, TimerHandle } from '../clock.js';

/** min suspicion timeout: SuspicionMult × max(1, log10(max(1, n))) × ProbeInterval, log truncated to 1/1000. */
export function suspicionTimeout(suspicionMult: number, n: number, intervalMs: number): number {
  const nodeScale = Math.max(1, Math.log10(Math.max(1, n)));
  return (suspicionMult * Math.floor(nodeScale * 1000) * intervalMs) / 1000;
}

/** Time left after `confirmations` of `k` expected, `elapsed` ms into the suspicion. */
export function remainingSuspicionTime(confirmations: number, k: number,
  options: { elapsedMs: number; minMs: number; maxMs: number }): number {
  const { elapsedMs, minMs, maxMs } = options;
  const frac = Math.log(confirmations + 1) / Math.log(k + 1);
  const raw = maxMs / 1000 - frac * (maxMs / 1000 - minMs / 1000);
  const timeout = Math.max(Math.floor(1000 * raw), minMs);
  return timeout - elapsedMs;
}

export class Suspicion {
  private confirmations = 0;
  private readonly from = new Set<string>();
  private readonly start: number;
  private timer: TimerHandle;
  private fired = false;

  constructor(
    private readonly clock: TimerClock,
    from: string,
    private readonly opts: { k: number; minMs: number; maxMs: number; onTimeout: (confirmations: number) => void },
  ) {
    this.from.add(from);
    this.start = clock.monotonic();
    const timeout = opts.k < 1 ? opts.minMs : opts.maxMs;
    this.timer = clock.setTimer(() => this.fire(), timeout);
  }

  /** Counts a confirmation from a new peer; true if it was new (and so worth re-broadcasting). */
  confirm(from: string): boolean {
    if (this.confirmations >= this.opts.k || this.from.has(from)) return false;
    this.from.add(from);
    this.confirmations++;
    if (this.fired) return true;
    const remaining = remainingSuspicionTime(this.confirmations, this.opts.k, {
      elapsedMs: this.clock.monotonic() - this.start, minMs: this.opts.minMs, maxMs: this.opts.maxMs,
    });
    this.timer.cancel();
    if (remaining > 0) this.timer = this.clock.setTimer(() => this.fire(), remaining);
    else queueMicrotask(() => this.fire());
    return true;
  }

  cancel(): void {
    this.fired = true;
    this.timer.cancel();
  }

  private fire(): void {
    if (this.fired) return;
    this.fired = true;
    this.opts.onTimeout(this.confirmations);
  }
}

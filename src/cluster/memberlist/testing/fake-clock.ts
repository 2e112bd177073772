// A deterministic clock for protocol tests: time only moves when the test calls advance(), which
// fires due timers in order and lets promise chains settle between them, so multi-step async
// protocol logic (probe → indirect → suspect) runs exactly as it would in real time.
import type { TimerClock, TimerHandle } from '../clock.js';

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

export class FakeClock implements TimerClock {
  private current = 0;
  private seq = 0;
  private readonly timers: Pending[] = [];

  constructor(private readonly epochMs = 1_700_000_000_000) {}

  now(): number {
    return this.epochMs + this.current;
  }

  monotonic(): number {
    return this.current;
  }

  setTimer(fn: () => void, ms: number): TimerHandle {
    const timer: Pending = { at: this.current + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => { timer.cancelled = true; } };
  }

  /** Moves time forward by ms, firing every timer that falls due, in order. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    await settle();
    for (;;) {
      const next = this.nextDue(target);
      if (!next) break;
      this.current = next.at;
      next.cancelled = true;
      next.fn();
      await settle();
    }
    this.current = target;
    await settle();
  }

  private nextDue(limit: number): Pending | undefined {
    let best: Pending | undefined;
    for (let i = this.timers.length - 1; i >= 0; i--) {
      const t = this.timers[i]!;
      if (t.cancelled) { this.timers.splice(i, 1); continue; }
      if (t.at > limit) continue;
      if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    return best;
  }
}

/** Lets queued microtasks and I/O callbacks (in-memory streams) run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** A seeded PRNG for reproducible node shuffles and jitter (the core's). */
export { seededRandom } from '../../../core/ports.js';

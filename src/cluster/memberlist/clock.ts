// The time source memberlist runs on: the core Clock plus one-shot timers, so probe rounds,
// suspicion timeouts and gossip ticks can be driven by a fake clock in tests without sleeping.
import type { Clock } from '../../core/ports.js';

export interface TimerHandle {
  cancel(): void;
}

export interface TimerClock extends Clock {
  /** Runs fn once after ms (monotonic). */
  setTimer(fn: () => void, ms: number): TimerHandle;
}

export function systemTimerClock(): TimerClock {
  return {
    now: () => Date.now(),
    monotonic: () => performance.now(),
    setTimer(fn, ms) {
      const t = setTimeout(fn, Math.max(0, ms));
      t.unref();
      return { cancel: () => clearTimeout(t) };
    },
  };
}

/** Resolves after ms on the given clock (never rejects). */
export function sleep(clock: TimerClock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimer(resolve, ms));
}

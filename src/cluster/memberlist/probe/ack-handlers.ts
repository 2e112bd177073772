// Pending probes keyed by sequence number: an ack (direct, relayed or late) completes one; nacks
// are counted for the awareness score; an unanswered handler expires after its deadline.
import type { TimerClock, TimerHandle } from '../clock.js';

interface Handler {
  ack: (payload: Uint8Array | null) => void;
  nack?: (() => void) | undefined;
  timer: TimerHandle;
}

export class AckHandlers {
  private readonly handlers = new Map<number, Handler>();

  constructor(private readonly clock: TimerClock) {}

  set(seq: number, h: { ack: (payload: Uint8Array | null) => void; nack?: () => void; timeout?: () => void },
    timeoutMs: number): void {
    const timer = this.clock.setTimer(() => {
      if (this.handlers.get(seq)?.timer === timer) this.handlers.delete(seq);
      h.timeout?.();
    }, timeoutMs);
    this.handlers.set(seq, { ack: h.ack, nack: h.nack, timer });
  }

  /** True if a handler was waiting for this sequence number. */
  ack(seq: number, payload: Uint8Array | null): boolean {
    const h = this.handlers.get(seq);
    if (!h) return false;
    this.handlers.delete(seq);
    h.timer.cancel();
    h.ack(payload);
    return true;
  }

  nack(seq: number): boolean {
    const h = this.handlers.get(seq);
    if (!h) return false;
    h.nack?.();
    return true;
  }

  clear(): void {
    for (const h of this.handlers.values()) h.timer.cancel();
    this.handlers.clear();
  }
}

// A request's cancellation: set when the caller goes away (or the transport gives up), read by the
// engine before each step and subscribed to by whatever holds upstream work open. It exists
// because Node's AbortController costs ~3 µs to create and ~1.5 µs more per listener — as much
// as a tenth of what a whole pass-through request costs — and most requests are never cancelled.
// A real AbortSignal is still there for APIs that need one (`signal`), created on first read.

export type AbortListener = (reason: unknown) => void;

export class Cancellation {
  private isAborted = false;
  private abortReason: unknown;
  private listeners: Array<AbortListener | undefined> | undefined;
  private controller: AbortController | undefined;

  get aborted(): boolean {
    return this.isAborted;
  }

  get reason(): unknown {
    return this.abortReason;
  }

  /** An AbortSignal that follows this cancellation (for fetch-style APIs); created on first read. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.isAborted) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }

  /** Cancels once; later calls are ignored. Listeners run synchronously, in subscription order. */
  abort(reason: unknown = new Error('request cancelled')): void {
    if (this.isAborted) return;
    this.isAborted = true;
    this.abortReason = reason;
    this.controller?.abort(reason);
    const listeners = this.listeners;
    this.listeners = undefined;
    if (listeners) for (const listener of listeners) listener?.(reason);
  }

  /**
   * Calls `listener` when the request is cancelled (at once if it already is). Returns the
   * unsubscribe function; calling it after the fact is harmless.
   */
  onAbort(listener: AbortListener): () => void {
    if (this.isAborted) {
      listener(this.abortReason);
      return noop;
    }
    const listeners = (this.listeners ??= []);
    const index = listeners.push(listener) - 1;
    return () => {
      if (this.listeners === listeners) listeners[index] = undefined;
    };
  }
}

function noop(): void {}

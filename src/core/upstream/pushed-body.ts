// A streamed response body handed on by push: the HTTP client calls data/end/fail as undici
// delivers the response, and one reader gets every chunk in order, then the end or the failure.
// There is no Readable in between, so a chunk costs one call instead of a stream buffer, an
// async-iterator promise and their microtasks. Chunks that arrive before the reader attaches (they
// can come in the same network read as the headers) are kept and replayed to it. pause/resume are
// undici's own flow control on the upstream socket.
import type { TransportFailure } from './client.js';
import { undiciErrors } from './undici.js';

export interface BodyReader {
  onData(chunk: Buffer): void;
  /** The whole body arrived. */
  onEnd(): void;
  /** The body broke off: a timeout, a network error, or the request was cancelled. */
  onError(failure: TransportFailure): void;
}

export interface UpstreamBody {
  /** Starts the delivery to `reader`; a body has one reader. */
  read(reader: BodyReader): void;
  /** Stops reading from the upstream socket until `resume` (backpressure). */
  pause(): void;
  resume(): void;
  /** Abandons the response: the upstream connection is closed unless the body already arrived. */
  cancel(): void;
}

interface FlowControl {
  pause(): void;
  resume(): void;
  abort(reason: Error): void;
}

export class PushedBody implements UpstreamBody {
  private reader: BodyReader | undefined;
  private early: Buffer[] | undefined;
  private outcome: 'end' | TransportFailure | undefined;
  /** Ended, failed or cancelled: nothing more is delivered and flow control is moot. */
  private over = false;
  private cancelled = false;

  constructor(private readonly flow: FlowControl) {}

  read(reader: BodyReader): void {
    if (this.reader) throw new Error('an upstream body has one reader');
    this.reader = reader;
    const early = this.early;
    this.early = undefined;
    if (early) for (const chunk of early) if (!this.cancelled) reader.onData(chunk);
    if (this.cancelled || this.outcome === undefined) return;
    if (this.outcome === 'end') reader.onEnd();
    else reader.onError(this.outcome);
  }

  pause(): void {
    if (!this.over) this.flow.pause();
  }

  resume(): void {
    if (!this.over) this.flow.resume();
  }

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.early = undefined;
    if (this.over) return;
    this.over = true;
    this.flow.abort(new undiciErrors.RequestAbortedError());
  }

  /** From the client: the next chunk of the body. */
  data(chunk: Buffer): void {
    if (this.cancelled) return;
    if (this.reader) this.reader.onData(chunk);
    else (this.early ??= []).push(chunk);
  }

  /** From the client: the body is complete. */
  end(): void {
    this.settle('end');
  }

  /** From the client: the body broke off. */
  fail(failure: TransportFailure): void {
    this.settle(failure);
  }

  private settle(outcome: 'end' | TransportFailure): void {
    if (this.cancelled) return;
    this.over = true;
    if (!this.reader) {
      this.outcome = outcome;
      return;
    }
    if (outcome === 'end') this.reader.onEnd();
    else this.reader.onError(outcome);
  }
}

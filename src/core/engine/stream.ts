// Turns an upstream event-stream body into the caller's StreamEvents as they arrive: decode the
// envelope, let the adapter map each event, splice in `extra_fields`, hand the event on at once.
// The body is pushed in chunk by chunk (upstream/pushed-body.ts) and the events wait in a short
// queue for the caller's `next()`: a reader that keeps up gets each event as it is made, one that
// falls behind pauses the upstream socket. Errors after the first byte become an error event rather
// than a rejection, so the transport can send them as a data event. When the caller stops reading,
// or aborts, the upstream request is cancelled so the provider sees the connection close.
// `request.end` fires once the caller has had the last event (or left), with the usage from the
// provider's usage block.
import type { GatewayError } from '../errors.js';
import type { MappedEvent, ProviderAdapter, StreamMapper } from '../providers/adapter.js';
import { SseDecoder, type SseMessage } from '../sse/decoder.js';
import type { JsonObject, ServedBy, StreamEvent, Usage } from '../types.js';
import type { BodyReader, StreamedResponse, TransportFailure } from '../upstream/client.js';
import type { EngineDeps } from './deps.js';
import { cancelledError, networkError, timeoutError, upstreamError } from './errors.js';
import { chunkExtraPrefix, spliceChunkExtraFields, type ExtraFieldsBase } from './extra-fields.js';
import type { RequestRun } from './request-run.js';

/** A StreamEvent whose `chunk` is parsed only if someone reads it. */
class ForwardedEvent implements StreamEvent {
  private parsed: JsonObject | undefined;
  constructor(readonly event: string | undefined, public data: string, public error?: GatewayError) {}
  get chunk(): JsonObject {
    return (this.parsed ??= JSON.parse(this.data) as JsonObject);
  }
  set chunk(value: JsonObject) {
    this.parsed = value;
  }
}

export interface StreamSource {
  upstream: StreamedResponse;
  adapter: ProviderAdapter;
  servedBy: ServedBy;
  timeoutMs: number;
  run: RequestRun;
}

export function errorEventData(error: GatewayError, base: ExtraFieldsBase): string {
  return JSON.stringify({
    is_bifrost_error: error.isBifrostError,
    status_code: error.status,
    error: { type: error.type, ...(error.code ? { code: error.code } : {}), message: error.message },
    extra_fields: { provider: base.provider, model_requested: base.model, request_type: base.requestType },
  });
}

/** Events queued unread before the upstream socket is paused (a caller slower than the provider). */
const HIGH_WATER = 64;
const DONE: IteratorResult<StreamEvent> = Object.freeze({ done: true, value: undefined });

class EngineStream implements AsyncIterableIterator<StreamEvent>, BodyReader {
  private readonly base: ExtraFieldsBase;
  private readonly prefix: string;
  private readonly mapper: StreamMapper;
  private readonly decoder = new SseDecoder();
  private readonly chunkEvents: boolean;
  /** The chunks are kept only for request-end observers, who may read the stream's text. */
  private readonly kept: string[] | undefined;
  /**
   * The adapter always asks the upstream for usage (billing, logs); the caller sees that extra
   * usage-only chunk only if it asked for it itself.
   */
  private readonly callerWantsUsage: boolean;
  private readonly ready: ForwardedEvent[] = [];
  private head = 0;
  private waiter: ((result: IteratorResult<StreamEvent>) => void) | undefined;
  private paused = false;
  private index = 0;
  private previous: number;
  private firstTokenMs: number | undefined;
  private usage: Usage | undefined;
  private error: GatewayError | undefined;
  /** [DONE] or an error event was seen: the rest of the body is read but not looked at. */
  private over = false;
  /** The upstream body arrived whole. */
  private complete = false;
  /** No event will be added: the body ended or failed, or the caller closed the stream. */
  private finished = false;
  private ended = false;

  constructor(private readonly deps: EngineDeps, private readonly source: StreamSource) {
    const { run, servedBy, adapter } = source;
    const { requestType } = run.request;
    this.base = { requestType, provider: servedBy.provider, model: servedBy.model };
    this.prefix = chunkExtraPrefix(this.base);
    this.mapper = adapter.streamMapper(requestType);
    this.chunkEvents = deps.events.wants('stream.chunk');
    this.kept = deps.events.wants('request.end') ? [] : undefined;
    const streamOptions = run.request.body.stream_options as { include_usage?: unknown } | undefined;
    this.callerWantsUsage = streamOptions?.include_usage === true;
    this.previous = deps.clock.monotonic();
    source.upstream.body.read(this);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<StreamEvent> {
    return this;
  }

  next(): Promise<IteratorResult<StreamEvent>> {
    if (this.head < this.ready.length) return Promise.resolve({ done: false, value: this.take() });
    if (this.finished) {
      this.endRun();
      return Promise.resolve(DONE);
    }
    // Unlike an async generator, this iterator holds one waiting reader: a second would be lost.
    if (this.waiter) return Promise.reject(new Error('a stream is read one next() at a time'));
    return new Promise((resolve) => { this.waiter = resolve; });
  }

  /** The caller is done with the stream (it left, or stopped at an error event). */
  return(): Promise<IteratorResult<StreamEvent>> {
    if (!this.finished) {
      this.finished = true;
      this.source.upstream.body.cancel();
    }
    this.ready.length = 0;
    this.head = 0;
    this.endRun();
    return Promise.resolve(DONE);
  }

  onData(chunk: Buffer): void {
    // After [DONE] the body is still read to its end: that returns the socket to the keep-alive
    // pool, where abandoning it would close it.
    if (this.over || this.finished) return;
    this.over = this.process(this.decoder.push(chunk));
    this.deliver();
  }

  onEnd(): void {
    if (this.finished) return;
    this.complete = true;
    if (!this.over) this.process(this.decoder.end());
    this.finished = true;
    this.deliver();
  }

  onError(failure: TransportFailure): void {
    if (this.finished) return;
    // A cancelled request ends quietly: the caller is gone, and the run ends as cancelled.
    if (failure.kind !== 'aborted' && !this.error) {
      const { base, source } = this;
      this.ready.push(this.failure(failure.kind === 'timeout'
        ? timeoutError(base, source.timeoutMs, failure.cause)
        : networkError(base, failure.message, failure.cause)));
    }
    this.finished = true;
    this.deliver();
  }

  private take(): ForwardedEvent {
    const event = this.ready[this.head++]!;
    if (this.head === this.ready.length) {
      this.ready.length = 0;
      this.head = 0;
      if (this.paused) {
        this.paused = false;
        this.source.upstream.body.resume();
      }
    }
    return event;
  }

  /** Hands the next event to a waiting `next()`, or pauses the upstream when too many wait unread. */
  private deliver(): void {
    const waiter = this.waiter;
    if (waiter === undefined) {
      if (!this.paused && !this.finished && this.ready.length - this.head >= HIGH_WATER) {
        this.paused = true;
        this.source.upstream.body.pause();
      }
      return;
    }
    if (this.head < this.ready.length) {
      this.waiter = undefined;
      waiter({ done: false, value: this.take() });
    } else if (this.finished) {
      this.waiter = undefined;
      this.endRun();
      waiter(DONE);
    }
  }

  /** Maps decoded messages into the queue; returns whether the stream is over. */
  private process(messages: SseMessage[]): boolean {
    for (const message of messages) {
      const mapped = this.mapper.map(message);
      if (mapped === 'done') return true;
      for (const m of mapped) {
        if (m.error) {
          this.ready.push(this.failure(upstreamError(500, m.error, this.base, false)));
          return true;
        }
        if (m.usageOnly && !this.callerWantsUsage) {
          this.usage = m.usage;
          continue;
        }
        this.ready.push(this.forward(m));
      }
    }
    return false;
  }

  private forward(mapped: MappedEvent): ForwardedEvent {
    const { deps, source: { run } } = this;
    const now = deps.clock.monotonic();
    if (this.firstTokenMs === undefined) this.firstTokenMs = now - run.startedAt;
    if (mapped.usage) this.usage = mapped.usage;
    // Bifrost: per-chunk latency, except the final (usage-carrying) chunk reports the total.
    const latency = mapped.usage ? now - run.startedAt : now - this.previous;
    if (this.chunkEvents) {
      deps.events.emit({ type: 'stream.chunk', ctx: run.ctx, index: this.index, sinceStartMs: now - run.startedAt, sincePreviousMs: now - this.previous });
    }
    this.kept?.push(mapped.data);
    this.previous = now;
    return new ForwardedEvent(mapped.event, spliceChunkExtraFields(mapped.data, this.prefix, this.index++, latency));
  }

  private failure(error: GatewayError): ForwardedEvent {
    this.error = error;
    return new ForwardedEvent(this.base.requestType === 'responses' ? 'error' : undefined, errorEventData(error, this.base), error);
  }

  private endRun(): void {
    if (this.ended) return;
    this.ended = true;
    const { source: { run, servedBy }, kept } = this;
    const cancelled = !this.complete && !this.error;
    run.end({
      servedBy, usage: this.usage, firstTokenMs: this.firstTokenMs, output: undefined,
      error: this.error ?? (cancelled ? cancelledError(this.base) : undefined),
      ...(kept ? { outputChunks: kept } : {}),
    });
  }
}

/** The caller's events, read from the upstream body as it arrives. */
export function streamEvents(deps: EngineDeps, source: StreamSource): AsyncIterableIterator<StreamEvent> {
  return new EngineStream(deps, source);
}

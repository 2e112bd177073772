// Turns an upstream event-stream body into the caller's StreamEvents as they arrive: decode the
// envelope, let the adapter map each event, splice in `extra_fields`, hand the event on at once
// (never buffered). Errors after the first byte are yielded as an error event rather than thrown,
// so the transport can send them as a data event. When the caller stops reading, or aborts, the
// upstream body is destroyed so the provider sees the connection close. `request.end` fires once
// the stream is over, with the usage from the provider's usage block.
import type { GatewayError } from '../errors.js';
import type { MappedEvent, ProviderAdapter } from '../providers/adapter.js';
import { SseDecoder, type SseMessage } from '../sse/decoder.js';
import type { JsonObject, ServedBy, StreamEvent, Usage } from '../types.js';
import { classifyTransportError, type UpstreamResponse } from '../upstream/client.js';
import type { EngineDeps } from './deps.js';
import { cancelledError, networkError, timeoutError, upstreamError } from './errors.js';
import { chunkExtraPrefix, spliceChunkExtraFields, type ExtraFieldsBase } from './extra-fields.js';
import type { RequestRun } from './request-run.js';
import { accumulateText } from './stream-output.js';

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
  upstream: UpstreamResponse;
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

async function* generateEvents(deps: EngineDeps, source: StreamSource): AsyncGenerator<StreamEvent> {
  const { run, servedBy, adapter, upstream } = source;
  const { requestType } = run.request;
  const base: ExtraFieldsBase = { requestType, provider: servedBy.provider, model: servedBy.model };
  const prefix = chunkExtraPrefix(base);
  const mapper = adapter.streamMapper(requestType);
  const decoder = new SseDecoder();
  const clock = deps.clock;
  const chunkEvents = deps.events.wants('stream.chunk');
  // The chunks are kept only for request-end observers, who may read the stream's text.
  const kept: string[] | undefined = deps.events.wants('request.end') ? [] : undefined;
  // The adapter always asks the upstream for usage (billing, logs); the caller sees that extra
  // usage-only chunk only if it asked for it itself.
  const streamOptions = run.request.body.stream_options as { include_usage?: unknown } | undefined;
  const callerWantsUsage = streamOptions?.include_usage === true;
  let index = 0;
  let previous = clock.monotonic();
  let firstTokenMs: number | undefined;
  let usage: Usage | undefined;
  let error: GatewayError | undefined;
  let complete = false;

  const forward = (mapped: MappedEvent): ForwardedEvent => {
    const now = clock.monotonic();
    if (firstTokenMs === undefined) firstTokenMs = now - run.startedAt;
    if (mapped.usage) usage = mapped.usage;
    // Bifrost: per-chunk latency, except the final (usage-carrying) chunk reports the total.
    const latency = mapped.usage ? now - run.startedAt : now - previous;
    if (chunkEvents) deps.events.emit({ type: 'stream.chunk', ctx: run.ctx, index, sinceStartMs: now - run.startedAt, sincePreviousMs: now - previous });
    kept?.push(mapped.data);
    previous = now;
    return new ForwardedEvent(mapped.event, spliceChunkExtraFields(mapped.data, prefix, index++, latency));
  };

  const failure = (err: GatewayError): ForwardedEvent => {
    error = err;
    return new ForwardedEvent(requestType === 'responses' ? 'error' : undefined, errorEventData(err, base), err);
  };

  /** Maps decoded messages; returns the events to yield and whether the stream is over. */
  const process = (messages: SseMessage[], out: ForwardedEvent[]): boolean => {
    for (const message of messages) {
      const mapped = mapper.map(message);
      if (mapped === 'done') return true;
      for (const m of mapped) {
        if (m.error) {
          out.push(failure(upstreamError(500, m.error, base, false)));
          return true;
        }
        if (m.usageOnly && !callerWantsUsage) {
          usage = m.usage;
          continue;
        }
        out.push(forward(m));
      }
    }
    return false;
  };

  try {
    const out: ForwardedEvent[] = [];
    let over = false;
    for await (const buf of upstream.body as AsyncIterable<Buffer>) {
      // After [DONE] keep reading to the end instead of destroying the body: a body read to its
      // end returns the socket to the keep-alive pool, a destroyed one closes it.
      if (over) continue;
      over = process(decoder.push(buf), out);
      for (const ev of out) yield ev;
      out.length = 0;
    }
    if (!over) {
      process(decoder.end(), out);
      for (const ev of out) yield ev;
    }
    complete = true;
  } catch (err) {
    const kind = classifyTransportError(err, run.ctx.cancellation).kind;
    if (kind !== 'aborted') {
      yield failure(kind === 'timeout'
        ? timeoutError(base, source.timeoutMs, err)
        : networkError(base, err instanceof Error ? err.message : String(err), err));
    } else {
      error = undefined;
      complete = false;
    }
  } finally {
    if (!complete && !upstream.body.destroyed) upstream.body.destroy();
    const cancelled = !complete && !error;
    run.end({
      servedBy, usage, firstTokenMs, output: undefined,
      error: error ?? (cancelled ? cancelledError(base) : undefined),
      ...(kept ? { lazyOutput: () => accumulateText(requestType, kept) } : {}),
    });
  }
}

/**
 * The caller's event iterable. An async generator that is closed before its first `next()` never
 * runs its `finally`, so the upstream body and the run's end are handled here for that case.
 */
export function streamEvents(deps: EngineDeps, source: StreamSource): AsyncIterableIterator<StreamEvent> {
  const inner = generateEvents(deps, source);
  let started = false;
  const iterator: AsyncIterableIterator<StreamEvent> = {
    next: () => { started = true; return inner.next(); },
    return: (value?: unknown) => {
      if (!started) {
        started = true;
        if (!source.upstream.body.destroyed) source.upstream.body.destroy();
        const { provider, model } = source.servedBy;
        source.run.end({ servedBy: source.servedBy, usage: undefined, output: undefined, error: cancelledError({ provider, model }) });
      }
      return inner.return(value as undefined);
    },
    throw: (error?: unknown) => inner.throw(error),
    [Symbol.asyncIterator]() { return iterator; },
  };
  return iterator;
}

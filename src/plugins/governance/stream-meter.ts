// Watches a stream on its way to the caller: keeps the events that passed, so a stream that ends
// without usage (cut short, or an upstream that reports none) can still be billed by its produced
// content, and settles exactly once when the stream ends — normally, on an upstream error, or
// because the caller went away (the transport closes the iterator).
// Chunks are only parsed when that bill is needed: the engine hands the upstream's usage over in
// `request.end`, so on the usual path no chunk is looked into at all.
import type { StreamEvent, Usage } from '../../core/index.js';
import { chunkContentChars, chunkUsage } from './estimate.js';

export interface MeterReading {
  /** The last usage a passing chunk carried (a caller that asked for usage sees that chunk). */
  usage: Usage | undefined;
  producedChars: number;
}

export class StreamMeter {
  private readonly events: StreamEvent[] = [];
  private reading: MeterReading | undefined;

  record(event: StreamEvent): void {
    this.events.push(event);
    this.reading = undefined;
  }

  /** Usage and produced content of the events so far (parsed once, on demand). */
  measure(): MeterReading {
    if (this.reading) return this.reading;
    let usage: Usage | undefined;
    let producedChars = 0;
    for (const event of this.events) {
      const chunk = event.chunk;
      const found = chunkUsage(chunk);
      if (found) usage = found;
      producedChars += chunkContentChars(chunk);
    }
    this.reading = { usage, producedChars };
    return this.reading;
  }
}

/**
 * The caller's iterator over `events`, recording each event on `meter`; `onEnd` runs once, after
 * the source finished, failed, or was closed. A plain iterator rather than an async generator:
 * it adds one callback per event instead of a generator's resume/suspend round trips.
 */
export function meterStream(events: AsyncIterable<StreamEvent>, meter: StreamMeter,
  onEnd: () => void): AsyncIterableIterator<StreamEvent> {
  const inner = events[Symbol.asyncIterator]();
  let ended = false;
  const end = (): void => {
    if (ended) return;
    ended = true;
    onEnd();
  };
  const passed = (result: IteratorResult<StreamEvent>): IteratorResult<StreamEvent> => {
    if (ended) return { done: true, value: undefined };
    if (result.done) end();
    else meter.record(result.value);
    return result;
  };
  const failed = (error: unknown): never => {
    end();
    throw error;
  };
  const iterator: AsyncIterableIterator<StreamEvent> = {
    next: () => (ended ? Promise.resolve({ done: true, value: undefined }) : inner.next().then(passed, failed)),
    async return(value?: unknown) {
      try {
        if (!ended) await inner.return?.(value);
      } finally {
        end();
      }
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() { return iterator; },
  };
  return iterator;
}

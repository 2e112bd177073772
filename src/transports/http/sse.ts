// Writes an InferenceStream to the caller as Server-Sent Events, exactly as Bifrost does (§2.6):
// one `data: …\n\n` write per event as it arrives (never batched), `event:` lines for the Responses
// API, `data: [DONE]` for chat/text, and an error after the stream started as a final data event.
// Backpressure is honoured (wait for `drain`), and a caller that goes away stops the iteration.
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { InferenceStream, StreamEvent } from '../../core/index.js';
import { bifrostErrorBody, toGatewayError, type ErrorScope } from './bifrost-error.js';

export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
};

export function formatEvent(event: StreamEvent): string {
  return event.event === undefined ? `data: ${event.data}\n\n` : `event: ${event.event}\ndata: ${event.data}\n\n`;
}

export interface WriteSseOptions {
  headers: Record<string, string>;
  scope: ErrorScope;
  /** The first event, already pulled (so an early error could still become a plain JSON error). */
  first: IteratorResult<StreamEvent>;
  iterator: AsyncIterator<StreamEvent>;
  /** Set when the caller disconnects. */
  cancellation: { readonly aborted: boolean };
}

/** Streams every event; resolves with the number of body bytes written. Never rejects. */
export async function writeSse(res: ServerResponse, stream: InferenceStream, options: WriteSseOptions): Promise<number> {
  let bytes = 0;
  // Slow reader: wait for the socket to drain (or close), then drop the losing listener.
  const drained = async (): Promise<boolean> => {
    const cleanup = new AbortController();
    await Promise.race([once(res, 'drain', { signal: cleanup.signal }), once(res, 'close', { signal: cleanup.signal })])
      .finally(() => cleanup.abort());
    return !res.destroyed;
  };
  // Synchronous while the socket takes the writes: no promise per event unless it must wait.
  const write = (text: string): boolean | Promise<boolean> => {
    if (res.destroyed || options.cancellation.aborted) return false;
    bytes += Buffer.byteLength(text);
    return res.write(text) ? !res.destroyed : drained();
  };
  res.writeHead(200, { ...SSE_HEADERS, ...options.headers });
  // Headers go out now, so the caller sees the stream open before the first token.
  res.flushHeaders();
  const writeError = (error: unknown): boolean | Promise<boolean> => {
    const body = JSON.stringify(bifrostErrorBody(toGatewayError(error), options.scope));
    return write(options.scope.requestType === 'responses' ? `event: error\ndata: ${body}\n\n` : `data: ${body}\n\n`);
  };
  let result = options.first;
  try {
    while (!result.done) {
      // An in-band error event from the engine ends the stream; no [DONE] follows it.
      if (result.value.error !== undefined) {
        await writeError(result.value.error);
        break;
      }
      let wrote = write(formatEvent(result.value));
      if (typeof wrote !== 'boolean') wrote = await wrote;
      if (!wrote) break;
      result = await options.iterator.next();
    }
    if (result.done && stream.terminator === 'done') await write('data: [DONE]\n\n');
  } catch (error) {
    await writeError(error);
  } finally {
    if (!result.done) {
      // The caller left or the stream failed: let the producer release the upstream request.
      await options.iterator.return?.().catch(() => undefined);
    }
    if (!res.destroyed) res.end();
  }
  return bytes;
}

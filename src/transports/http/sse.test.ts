// The SSE writer against a real socket and a reader that stops reading: it must wait for the
// socket to drain instead of buffering without bound, lose and reorder nothing, and stop the
// producer when the reader goes away while it waits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { InferenceStream, ServedBy, StreamEvent } from '../../core/index.js';
import { waitFor } from '../../../test/support/wait.js';
import { writeSse } from './sse.js';

const EVENTS = 64;
const servedBy: ServedBy = { provider: 'openai', model: 'm', requestedModel: 'openai/m', fallbackIndex: 0, keyName: 'k', attempts: 1, upstreamLatencyMs: 1 };
// 256 KB per event, 16 MB in all: more than the kernel buffers of a loopback connection hold, so
// the writer meets backpressure.
const payload = (i: number): string => JSON.stringify({ i, pad: 'x'.repeat(256 * 1024) });

interface Served {
  res: ServerResponse;
  drains: number;
  finished: Promise<number>;
  /** How the event generator ended: it ran out, or the writer returned it early. */
  producer: 'running' | 'completed' | 'returned';
}

/** One server whose single request is answered by writeSse over EVENTS big events. */
async function serveOnce(t: { after(fn: () => unknown): void }): Promise<{ port: number; served: Promise<Served> }> {
  let resolveServed!: (s: Served) => void;
  const served = new Promise<Served>((resolve) => { resolveServed = resolve; });
  const server = createServer((_req: IncomingMessage, res: ServerResponse) => {
    async function* events(): AsyncGenerator<StreamEvent> {
      let i = 0;
      try {
        for (; i < EVENTS; i++) yield { event: undefined, data: payload(i) } as StreamEvent;
      } finally {
        entry.producer = i >= EVENTS ? 'completed' : 'returned';
      }
    }
    const stream: InferenceStream = { kind: 'stream', events: events(), servedBy, terminator: 'done' };
    const iterator = stream.events[Symbol.asyncIterator]();
    const entry: Served = { res, drains: 0, finished: Promise.resolve(0), producer: 'running' };
    res.on('drain', () => { entry.drains += 1; });
    entry.finished = iterator.next().then((first) => writeSse(res, stream, {
      headers: {}, scope: { requestType: 'chat_completion' }, first, iterator, cancellation: { aborted: false },
    }));
    resolveServed(entry);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }));
  return { port: (server.address() as AddressInfo).port, served };
}

/** Opens the stream and stops reading until the writer meets backpressure. */
async function pausedReader(t: { after(fn: () => unknown): void }): Promise<{ reply: IncomingMessage; server: Served }> {
  const { port, served } = await serveOnce(t);
  const reply = await new Promise<IncomingMessage>((resolve, reject) => {
    request({ host: '127.0.0.1', port, method: 'POST', path: '/' }, resolve).on('error', reject).end();
  });
  reply.pause();
  const server = await served;
  await waitFor(() => server.res.writableNeedDrain, { message: 'the socket to refuse more writes while the reader pauses' });
  return { reply, server };
}

test('a reader that pauses gets every event in order once it reads again; the writer waited for drain', async (t) => {
  const { reply, server } = await pausedReader(t);
  reply.setEncoding('utf8');
  let text = '';
  reply.on('data', (part: string) => { text += part; });
  reply.resume();
  await new Promise((resolve) => reply.on('end', resolve));
  const data = text.split('\n\n').filter(Boolean).map((event) => event.replace(/^data: /, ''));
  assert.equal(data.length, EVENTS + 1);
  assert.deepEqual(data.slice(0, EVENTS).map((d) => (JSON.parse(d) as { i: number }).i), Array.from({ length: EVENTS }, (_, i) => i));
  assert.equal(data[EVENTS], '[DONE]');
  assert.ok(server.drains >= 1, 'the writer resumed on drain');
  assert.equal(await server.finished, Buffer.byteLength(text));
  assert.equal(server.producer, 'completed');
});

test('a reader that leaves while the writer waits for drain stops the producer', async (t) => {
  const { reply, server } = await pausedReader(t);
  reply.destroy();
  await waitFor(() => server.producer === 'returned', { timeoutMs: 5000, message: 'the writer to return the producer after the reader left' });
  await server.finished;
});

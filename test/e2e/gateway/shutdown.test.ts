// Closing the server while a stream is in flight: the stream finishes, and a request that arrives
// on the same keep-alive connection after close began is still served — it was routed here before
// the listener closed — and its response closes the connection, on the inference fast path and on
// Fastify's routes alike.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { once } from 'node:events';
import { createGateway, silentLogger } from '../../../src/core/index.js';
import { ConfigHolder, parseConfig } from '../../../src/config/index.js';
import { buildHttpServer } from '../../../src/transports/http/index.js';
import { startFakeOpenAI } from '../../support/fake-openai-upstream.js';
import { openaiProvider } from './harness.js';
import { waitFor } from '../../support/wait.js';

function post(body: string): string {
  return `POST /v1/chat/completions HTTP/1.1\r\nhost: gw\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

const INFERENCE = post(JSON.stringify({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'y' }] }));
const HEALTH = 'GET /health HTTP/1.1\r\nhost: gw\r\n\r\n';

for (const [name, late] of [['an inference request', INFERENCE], ['a Fastify route (/health)', HEALTH]] as const) {
  test(`${name} arriving while the server closes is served and closes its connection; the in-flight stream completes`, async () => {
    const fake = await startFakeOpenAI();
    const holder = new ConfigHolder(parseConfig({ providers: { openai: openaiProvider(fake.origin) } }, { env: {} }).config);
    const gateway = createGateway({ config: holder, logger: silentLogger });
    const app = await buildHttpServer({ gateway, config: holder, logger: silentLogger });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as { port: number }).port;
    try {
      fake.behave({ chunks: 4, chunkDelayMs: 100 });
      const socket = connect(port, '127.0.0.1');
      await once(socket, 'connect');
      let received = '';
      socket.on('data', (data: Buffer) => { received += data.toString(); });
      socket.write(post(JSON.stringify({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'x' }], stream: true })));
      await waitFor(() => received.includes('data: '), { message: 'the first stream event' });
      const closed = app.close();
      // Pipelined on the same connection, after close began.
      socket.write(late);
      await once(socket, 'close');
      await closed;
      const [first, second] = received.split(/(?=HTTP\/1\.1 )/);
      assert.match(first ?? '', /^HTTP\/1\.1 200/);
      assert.match(first ?? '', /data: \[DONE\]\r?\n\r?\n/, 'the in-flight stream finished');
      assert.match(second ?? '', /^HTTP\/1\.1 200/);
      assert.match(second ?? '', /\r\nconnection: close\r\n/i);
    } finally {
      await app.close();
      await gateway.close();
      await fake.close();
    }
  });
}

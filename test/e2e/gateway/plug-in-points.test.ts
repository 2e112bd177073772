// buildHttpServer's plug-in points as other modules use them: a route module adding a route, an
// exchange observer (HTTP metrics) that sees inference requests (streams included) and Fastify
// routes alike; health checks (503 naming
// the failed component); and a live config change (ConfigHolder.replace) of the body size limit.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { createGateway, silentLogger, type Gateway } from '../../../src/core/index.js';
import { ConfigHolder, parseConfig } from '../../../src/config/index.js';
import { buildHttpServer } from '../../../src/transports/http/index.js';
import { startFakeOpenAI, type FakeOpenAI } from '../../support/fake-openai-upstream.js';
import { openaiProvider } from './harness.js';
import { waitFor } from '../../support/wait.js';

interface Sample { method: string; route: string; status: number; ms: number }
let fake: FakeOpenAI;
let app: FastifyInstance;
let gateway: Gateway;
let holder: ConfigHolder;
let url: string;
const samples: Sample[] = [];
let databaseUp = true;

before(async () => {
  fake = await startFakeOpenAI();
  holder = new ConfigHolder(parseConfig({ providers: { openai: openaiProvider(fake.origin) } }, { env: {} }).config);
  gateway = createGateway({ config: holder, logger: silentLogger });
  app = await buildHttpServer({
    gateway, config: holder, logger: silentLogger,
    routes: [(instance) => {
      instance.get('/api/version', async () => ({ version: 'test' }));
    }],
    exchangeObservers: [(exchange) => {
      samples.push({ method: exchange.method, route: exchange.path, status: exchange.status, ms: exchange.durationSeconds * 1000 });
    }],
    healthChecks: [
      { name: 'config_store', database: true, check: async () => { if (!databaseUp) throw new Error('connection refused'); } },
      { name: 'logs_store', check: async () => undefined },
    ],
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
after(async () => {
  await app?.close();
  await gateway?.close();
  await fake?.close();
});

test('a route module can add routes; an exchange observer sees every exchange, streams included', async () => {
  assert.deepEqual(await (await fetch(`${url}/api/version`)).json(), { version: 'test' });
  const stream = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'x' }], stream: true }),
  });
  await stream.text();
  await fetch(`${url}/nowhere`).then((r) => r.arrayBuffer());
  // Records arrive when each response closes, which may trail the client's last byte slightly.
  await waitFor(() => samples.length >= 3, { timeoutMs: 5000, message: 'three exchange records' });
  const routes = samples.map((s) => `${s.method} ${s.route} ${s.status}`);
  assert.ok(routes.includes('GET /api/version 200'), routes.join('; '));
  assert.ok(routes.includes('POST /v1/chat/completions 200'), routes.join('; '));
  assert.ok(routes.includes('GET unmatched 404'), routes.join('; '));
});

test('health: 200 while every component is up, 503 naming the failed one', async () => {
  assert.deepEqual(await (await fetch(`${url}/health`)).json(), { status: 'ok' });
  databaseUp = false;
  try {
    const res = await fetch(`${url}/health`);
    assert.equal(res.status, 503);
    const body = await res.json() as { status: string; error: string; components: Record<string, string> };
    assert.equal(body.status, 'error');
    assert.deepEqual(body.components, { config_store: 'connection refused' });
    assert.match(body.error, /config_store: connection refused/);
    const current = holder.current();
    holder.replace({ ...current, client: { ...current.client, disable_db_pings_in_health: true } });
    assert.equal((await fetch(`${url}/health`)).status, 200, 'database pings skipped when disabled');
    holder.replace(current);
  } finally {
    databaseUp = true;
  }
});

test('a live config edit (ConfigHolder.replace) changes the body size limit without a restart', async () => {
  const body = JSON.stringify({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'x'.repeat(600 * 1024) }] });
  const post = () => fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  assert.equal((await post()).status, 200);
  const current = holder.current();
  holder.replace({ ...current, client: { ...current.client, max_request_body_size_mb: 0.5 } });
  const res = await post();
  assert.equal(res.status, 413);
  assert.match((await res.json() as { error: { message: string } }).error.message, /0\.5 MB/);
});

// Issue #20's door defects, each against the real server: names that cannot be header values
// (1), percent-encoded paths around admin auth (2), /ws without auth (3), Upgrade on other paths
// (4), and bodies that stall (a chunk header declaring 1 EiB). Each failed on fe635e5: the first
// ended the test process, the second read /api with no credentials, the third and fourth hung.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { silentLogger } from '../../../src/core/index.js';
import { parseConfig } from '../../../src/config/index.js';
import { startGateway, type RunningGateway } from '../../../src/main.js';
import { startFakeOpenAI, type FakeOpenAI } from '../../support/fake-openai-upstream.js';
import { httpRequest, rawRequest } from '../../support/raw-http.js';

const PASSWORD = 'door-PASSWORD-123456';
const BASIC = `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}`;
const dir = mkdtempSync(join(tmpdir(), 'bifrost-door-'));
let fake: FakeOpenAI;
let gw: RunningGateway;

before(async () => {
  fake = await startFakeOpenAI();
  const raw = {
    config_store: { enabled: true, type: 'sqlite', config: { path: join(dir, 'config.db') } },
    logs_store: { enabled: true, type: 'sqlite', config: { path: join(dir, 'logs.db') } },
    governance: { auth_config: { is_enabled: true, admin_username: 'admin', admin_password: 'env.ADMIN_PASSWORD' } },
    providers: { openai: { keys: [{ name: 'k', value: 'sk-upstream-key', models: ['*'] }], network_config: { base_url: fake.origin, max_retries: 0 } } },
  };
  const env = { ADMIN_PASSWORD: PASSWORD };
  gw = await startGateway({
    port: 0, host: '127.0.0.1', loaded: parseConfig(raw, { env, source: 'test config.json' }), logger: silentLogger, env,
    shutdownGraceMs: 2_000, bodyIdleTimeoutMs: 300,
  });
});
after(async () => {
  await gw?.close();
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

const chat = (model: string) => JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] });

test('1. model and provider names that are no valid header value get an answer, not a dead process', async () => {
  for (const model of ['模/x', 'fakeup/a\nb', '😀/gpt', 'openai/\u0000', 'a\r\nx-injected: 1/b', '\ud800/x']) {
    const res = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: chat(model) });
    // An unknown provider is a 400; a known one (openai) may serve the odd model name.
    assert.ok(res.status < 500, `${JSON.stringify(model)}: ${res.status}`);
    assert.equal(res.headers.get('x-injected'), null);
    assert.match(res.headers.get('x-bifrost-provider') ?? '', /^[\x20-\x7e]*$/);
    await res.arrayBuffer();
  }
  // Invalid UTF-8 in the body.
  const invalid = Buffer.concat([Buffer.from('{"model":"'), Buffer.from([0xff, 0xfe]), Buffer.from('/x","messages":[]}')]);
  const answer = await rawRequest(gw.port, [httpRequest('POST', '/v1/chat/completions', '', { 'content-type': 'application/json', 'content-length': String(invalid.length) }).replace(/content-length: 0\r\n/, ''), invalid]);
  assert.equal(answer.status, 400, answer.body);
  // A name the provider serves: the identity headers carry it percent-encoded.
  const served = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: chat('openai/模型') });
  assert.equal(served.status, 200, await served.clone().text());
  assert.equal(served.headers.get('x-bifrost-original-model'), '%E6%A8%A1%E5%9E%8B');
  assert.equal((await fetch(`${gw.url}/health`)).status, 200);
});

test('2. admin auth judges the same decoded, normalized path the router serves', async () => {
  for (const target of ['/%61pi/providers', '/%6detrics', '//api/providers', '/v1/../api/providers', '/api/./providers', '/API/providers', '/api%2Fproviders', '/%2561pi/providers']) {
    const res = await rawRequest(gw.port, httpRequest('GET', target));
    assert.ok(res.status === 401 || res.status === 404, `${target}: ${res.status} ${res.body}`);
    assert.doesNotMatch(res.body, /sk-upstream-key|"providers"/);
  }
  const withCredentials = await rawRequest(gw.port, httpRequest('GET', '/%61pi/providers', '', { authorization: BASIC }));
  assert.equal(withCredentials.status, 200, 'the normalized path reaches the route once authorized');
  const malformed = await rawRequest(gw.port, httpRequest('GET', '/%E0%A4%A/providers'));
  assert.equal(malformed.status, 400);
  assert.match(malformed.body, /percent-encoding/);
});

test('3. /ws needs the admin credentials like /api', async () => {
  const open = (headers: Record<string, string>, path = '/ws') => new Promise<number>((resolve) => {
    const ws = new WebSocket(`${gw.url.replace('http', 'ws')}${path}`, { headers });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('error', () => resolve(-1));
  });
  assert.equal(await open({}), 401);
  assert.equal(await open({}, '/%77s'), 401, 'an encoded /ws is the same /ws');
  assert.equal(await open({ authorization: BASIC }), 101);
  assert.equal(await open({ authorization: BASIC }, '/%77s'), 101);
});

test('4. an Upgrade header on any other path is served as a plain request', async () => {
  const upgrade = { connection: 'Upgrade, HTTP2-Settings', upgrade: 'h2c', 'http2-settings': 'AAMAAABkAAQAAP__' };
  const health = await rawRequest(gw.port, httpRequest('GET', '/health', '', upgrade), { timeoutMs: 3_000 });
  assert.equal(health.timedOut, false, 'answered, not left hanging');
  assert.equal(health.status, 200);
  const inference = await rawRequest(gw.port, httpRequest('POST', '/v1/chat/completions', chat('openai/gpt-4o-mini'),
    { 'content-type': 'application/json', connection: 'Upgrade', upgrade: 'websocket' }), { timeoutMs: 5_000 });
  assert.equal(inference.status, 200, inference.body);
  assert.match(inference.body, /chat\.completion/);
  const admin = await rawRequest(gw.port, httpRequest('GET', '/api/providers', '', { connection: 'Upgrade', upgrade: 'websocket' }), { timeoutMs: 3_000 });
  assert.equal(admin.status, 401, 'the replayed request passes the same guard');
  // Many at once leave no socket behind: each is answered.
  const answers = await Promise.all(Array.from({ length: 50 }, () => rawRequest(gw.port, httpRequest('GET', '/nowhere', '', { connection: 'Upgrade', upgrade: 'x' }), { timeoutMs: 5_000 })));
  assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([404]));
});

test('a body that stops arriving is answered 408 and its connection closed', async () => {
  for (const target of ['/v1/chat/completions', '/api/session/login']) {
    const head = `POST ${target} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n`;
    const res = await rawRequest(gw.port, [head, 'FFFFFFFFFFFFFFF\r\n{"model":'], { timeoutMs: 5_000 });
    assert.equal(res.timedOut, false, `${target} left hanging`);
    assert.equal(res.status, 408, `${target}: ${res.status} ${res.body}`);
    assert.equal(res.closedByServer, true);
  }
});

test('admin bodies are capped well below inference bodies: a 20 MB one is refused before it is read', async () => {
  const head = `POST /api/session/login HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${20 * 1024 * 1024}\r\n\r\n`;
  const res = await rawRequest(gw.port, [head, '{"username":"'], { timeoutMs: 5_000 });
  assert.equal(res.status, 413, res.body);
  assert.match(res.body, /limit is 16 MB \(admin API bodies\)/);
  // An inference body of the same size is within client.max_request_body_size_mb (100 MB by default).
  const inference = await rawRequest(gw.port, [head.replace('/api/session/login', '/v1/chat/completions'), '{"model":'], { timeoutMs: 1_500 });
  assert.notEqual(inference.status, 413);
});

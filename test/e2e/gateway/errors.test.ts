// Bad input gets a precise 4xx in Bifrost's error JSON; unknown routes a 404; health and CORS.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { openaiProvider, startStack, type Stack } from './harness.js';

let stack: Stack;
before(async () => {
  stack = await startStack({ config: (origin) => ({
    client: { max_request_body_size_mb: 1, allowed_origins: ['https://app.example'] },
    providers: { openai: openaiProvider(origin) },
  }) });
});
after(async () => { await stack?.close(); });

interface ErrorBody { is_bifrost_error: boolean; status_code: number; error: { type: string; message: string; param?: string }; extra_fields: Record<string, string> }

test('malformed JSON → 400 naming the problem and its position', async () => {
  const res = await stack.post('/v1/chat/completions', '{"model": "openai/gpt-4o", "messages": [}', { 'x-request-id': 'bad-json-1' });
  assert.equal(res.status, 400);
  assert.equal(res.headers.get('x-bifrost-request-id'), 'bad-json-1');
  const body = await res.json() as ErrorBody;
  assert.equal(body.is_bifrost_error, true);
  assert.equal(body.status_code, 400);
  assert.match(body.error.message, /invalid JSON/);
  assert.match(body.error.message, /unexpected "\}" at position 40 \(line 1, column 41\)/);
  assert.equal(stack.fake.requests.length, 0, 'nothing sent upstream');
});

test('wrong field types → 400 naming the field', async () => {
  const cases: Array<[Record<string, unknown>, RegExp, string]> = [
    [{ model: 'openai/gpt-4o', messages: 'hello' }, /messages: expected array, got string/, 'messages'],
    [{ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'x' }], stream: 'yes' }, /stream: expected boolean/, 'stream'],
    [{ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }, /model should be in provider\/model format/, 'model'],
  ];
  for (const [payload, message, param] of cases) {
    const res = await stack.post('/v1/chat/completions', JSON.stringify(payload));
    assert.equal(res.status, 400, JSON.stringify(payload));
    const body = await res.json() as ErrorBody;
    assert.match(body.error.message, message);
    assert.equal(body.error.param, param);
    assert.equal(body.extra_fields.request_type, 'chat_completion');
  }
});

test('unknown provider → 400 Bifrost error', async () => {
  const res = await stack.post('/v1/chat/completions', JSON.stringify({ model: 'nosuch/model', messages: [{ role: 'user', content: 'x' }] }));
  assert.equal(res.status, 400);
  const body = await res.json() as ErrorBody;
  assert.match(body.error.message, /nosuch/);
  assert.equal(body.extra_fields.provider, 'nosuch');
  assert.equal(body.extra_fields.model_requested, 'model', 'bare model, as on success responses');
  assert.equal(res.headers.get('x-bifrost-provider'), 'nosuch');
  assert.equal(res.headers.get('x-bifrost-request-type'), 'chat_completion');
});

test('body over client.max_request_body_size_mb → 413 Bifrost error JSON', async () => {
  const big = JSON.stringify({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'x'.repeat(1.5 * 1024 * 1024) }] });
  const res = await stack.post('/v1/chat/completions', big);
  assert.equal(res.status, 413);
  const body = await res.json() as ErrorBody;
  assert.equal(body.status_code, 413);
  assert.match(body.error.message, /too large.*1 MB/);
});

test('a chunked body (no content-length) is cut off at the limit with 413 too', async () => {
  const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(`${stack.gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => { text += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.write('{"model":"openai/gpt-4o","messages":[{"role":"user","content":"');
    for (let i = 0; i < 24; i++) req.write('x'.repeat(64 * 1024));
    req.end('"}]}');
  });
  assert.equal(status, 413);
  assert.equal((JSON.parse(text) as ErrorBody).status_code, 413);
});

test('unknown route → 404 JSON "Route not found: <path>"', async () => {
  const res = await fetch(`${stack.gw.url}/v1/nope?x=1`);
  assert.equal(res.status, 404);
  const body = await res.json() as ErrorBody;
  assert.equal(body.error.message, 'Route not found: /v1/nope');
});

test('GET /health → {"status":"ok"}', async () => {
  const res = await fetch(`${stack.gw.url}/health`);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { status: 'ok' });
});

test('CORS: listed and localhost origins allowed, others refused at preflight', async () => {
  const preflight = (origin: string) => fetch(`${stack.gw.url}/v1/chat/completions`, {
    method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
  });
  const listed = await preflight('https://app.example');
  assert.equal(listed.status, 204);
  assert.equal(listed.headers.get('access-control-allow-origin'), 'https://app.example');
  assert.equal((await preflight('http://localhost:5173')).status, 204);
  const other = await preflight('https://evil.example');
  assert.equal(other.status, 403);
  assert.equal(other.headers.get('access-control-allow-origin'), null);
  const simple = await stack.post('/v1/chat/completions', JSON.stringify({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'x' }] }), { origin: 'https://app.example' });
  assert.equal(simple.headers.get('access-control-allow-origin'), 'https://app.example');
});

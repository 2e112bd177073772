import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeOpenAI, type FakeOpenAI } from '../../../test/support/fake-openai-upstream.js';
import { isGatewayError, type GatewayError } from '../errors.js';
import type { Plugin } from '../plugin.js';
import { ALLOWED_KEY_IDS, type InferenceRequest, type InferenceResponse, type JsonObject } from '../types.js';
import { createGateway } from './create-gateway.js';
import { context, key, observer, provider, recordingSleeper, request, staticConfig } from './testing/fixtures.js';

let fake: FakeOpenAI;
before(async () => { fake = await startFakeOpenAI(); });
after(async () => { await fake.close(); });
beforeEach(() => fake.reset());

const rejectsWith = (check: (e: GatewayError) => void) => (e: unknown) => {
  assert.ok(isGatewayError(e), `expected GatewayError, got ${String(e)}`);
  check(e);
  return true;
};

test('chat completion: bare model upstream, fallbacks dropped, extra_fields and usage added', async () => {
  const obs = observer();
  const gw = createGateway({ config: staticConfig({ openai: provider(fake.origin) }), plugins: [obs] });
  const res = await gw.handle(request('openai/gpt-4o', { temperature: 0.2 }, { fallbacks: ['openai/gpt-4o-mini'] }), context()) as InferenceResponse;
  assert.equal(res.kind, 'response');
  const sent = fake.requests[0]!;
  assert.equal(sent.path, '/v1/chat/completions');
  assert.equal(sent.apiKey, 'sk-main');
  assert.equal(sent.body?.model, 'gpt-4o');
  assert.equal(sent.body?.temperature, 0.2);
  assert.ok(!('fallbacks' in (sent.body ?? {})), 'fallbacks must not reach the provider');
  const extra = res.body.extra_fields as Record<string, unknown>;
  assert.equal(extra.request_type, 'chat_completion');
  assert.equal(extra.provider, 'openai');
  assert.equal(extra.model_requested, 'gpt-4o');
  assert.equal(typeof extra.latency, 'number');
  assert.deepEqual(res.usage, { prompt_tokens: 2, completion_tokens: 5, total_tokens: 7 });
  assert.equal(res.servedBy.keyName, 'main');
  assert.deepEqual(obs.events.map((e) => e.type), ['request.start', 'upstream.attempt', 'request.end']);
  assert.equal(obs.ends[0]!.status, 'success');
  assert.deepEqual(obs.ends[0]!.usage, res.usage);
  await gw.close();
});

test('the caller\'s text is forwarded, unless a pre-hook that may edit the body has run', async () => {
  const text = '{"model":"openai/gpt-4o","messages":[{"role":"user","content":"my card is 4111"}],"temperature":1.0}';
  const fromText = (): InferenceRequest => ({ ...request('openai/gpt-4o'), body: JSON.parse(text) as JsonObject, rawBody: text, bodyText: text });
  const reader: Plugin = { name: 'reader', keepsBody: true, preHook: () => undefined };
  const redactor: Plugin = {
    name: 'redactor',
    preHook: (req) => {
      (req.body.messages as Array<{ content: string }>)[0]!.content = '[redacted]';
      return undefined;
    },
  };
  const config = staticConfig({ openai: provider(fake.origin) });
  const kept = createGateway({ config, plugins: [reader] });
  await kept.handle(fromText(), context());
  assert.equal(fake.requests[0]!.rawBody, '{"model":"gpt-4o","messages":[{"role":"user","content":"my card is 4111"}],"temperature":1.0}');
  const edited = createGateway({ config, plugins: [reader, redactor] });
  await edited.handle(fromText(), context());
  assert.equal(fake.requests[1]!.rawBody, '{"model":"gpt-4o","messages":[{"role":"user","content":"[redacted]"}],"temperature":1}');
  await kept.close();
  await edited.close();
});

test('tools and response_format reach the provider and the tool call comes back', async () => {
  const gw = createGateway({ config: staticConfig({ openai: provider(fake.origin) }) });
  const tools = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: {} } } }];
  const res = await gw.handle(request('openai/gpt-4o', { tools, tool_choice: 'auto' }), context()) as InferenceResponse;
  assert.deepEqual(fake.requests[0]!.body?.tools, tools);
  const choice = (res.body.choices as Array<{ message: { tool_calls: Array<{ function: { name: string } }> } }>)[0]!;
  assert.equal(choice.message.tool_calls[0]!.function.name, 'get_weather');
  const fmt = { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } };
  const res2 = await gw.handle(request('openai/gpt-4o', { response_format: fmt }), context()) as InferenceResponse;
  const content = (res2.body.choices as Array<{ message: { content: string } }>)[0]!.message.content;
  assert.deepEqual(JSON.parse(content).response_format, fmt);
  await gw.close();
});

test('embeddings, text completions and responses use their own paths', async () => {
  const gw = createGateway({ config: staticConfig({ openai: provider(fake.origin) }) });
  const emb = await gw.handle(request('openai/text-embedding-3-small', { input: ['a', 'b'], messages: undefined }, { type: 'embedding' }), context()) as InferenceResponse;
  assert.equal((emb.body.data as unknown[]).length, 2);
  await gw.handle(request('openai/gpt-3.5-turbo-instruct', { prompt: 'hi' }, { type: 'text_completion' }), context());
  const resp = await gw.handle(request('openai/gpt-4o', { input: 'hi', messages: undefined }, { type: 'responses' }), context()) as InferenceResponse;
  assert.equal(resp.body.object, 'response');
  assert.equal(resp.usage?.prompt_tokens, 1);
  assert.deepEqual(fake.requests.map((r) => r.path), ['/v1/embeddings', '/v1/completions', '/v1/responses']);
  await gw.close();
});

test('retries 500s with exponential backoff from the injected sleeper, then succeeds', async () => {
  const sleeper = recordingSleeper();
  const obs = observer();
  const network = { max_retries: 3, retry_backoff_initial: 100, retry_backoff_max: 1000 };
  const gw = createGateway({ config: staticConfig({ openai: provider(fake.origin, { network }) }), sleeper, plugins: [obs], random: { next: () => 0.5 } });
  fake.failNext(2, 500);
  const res = await gw.handle(request('openai/gpt-4o'), context()) as InferenceResponse;
  assert.equal(res.kind, 'response');
  assert.deepEqual(sleeper.waits, [100, 200]);
  assert.equal(fake.requests.length, 3);
  assert.equal(obs.ends[0]!.retries, 2);
  assert.equal(res.servedBy.attempts, 3);
  await gw.close();
});

test('retry budget exhausted: the provider status and message come back, not a bifrost error', async () => {
  const sleeper = recordingSleeper();
  const gw = createGateway({ config: staticConfig({ openai: provider(fake.origin, { network: { max_retries: 1 } }) }), sleeper });
  fake.failNext(5, 503, { message: 'overloaded' });
  await assert.rejects(gw.handle(request('openai/gpt-4o'), context()), rejectsWith((e) => {
    assert.equal(e.status, 503);
    assert.equal(e.message, 'overloaded');
    assert.equal(e.isBifrostError, false);
  }));
  assert.equal(fake.requests.length, 2);
  assert.equal(sleeper.waits.length, 1);
  await gw.close();
});

test('400 is final: no retry', async () => {
  const gw = createGateway({ config: staticConfig({ openai: provider(fake.origin, { network: { max_retries: 3 } }) }), sleeper: recordingSleeper() });
  fake.failNext(1, 400, { message: 'bad param' });
  await assert.rejects(gw.handle(request('openai/gpt-4o'), context()), rejectsWith((e) => assert.equal(e.status, 400)));
  assert.equal(fake.requests.length, 1);
  await gw.close();
});

test('401 marks the key dead and rotates to the next key without backoff', async () => {
  const sleeper = recordingSleeper();
  const keys = [key('bad', { weight: 100 }), key('good', { weight: 0.01 })];
  const gw = createGateway({ config: staticConfig({ openai: provider(fake.origin, { keys }) }), sleeper, random: { next: () => 0 } });
  fake.behave({ apiKey: 'sk-bad', status: 401, times: Infinity });
  const res = await gw.handle(request('openai/gpt-4o'), context()) as InferenceResponse;
  assert.equal(res.servedBy.keyName, 'good');
  assert.deepEqual(fake.requests.map((r) => r.apiKey), ['sk-bad', 'sk-good']);
  assert.deepEqual(sleeper.waits, []);
  await gw.close();
});

test('all keys rejected → 502 upstream_credentials_exhausted', async () => {
  const keys = [key('a'), key('b')];
  const gw = createGateway({ config: staticConfig({ openai: provider(fake.origin, { keys }) }), sleeper: recordingSleeper() });
  fake.behave({ status: 401, times: Infinity, message: 'Incorrect API key provided' });
  await assert.rejects(gw.handle(request('openai/gpt-4o'), context()), rejectsWith((e) => {
    assert.equal(e.status, 502);
    assert.equal(e.type, 'upstream_credentials_exhausted');
    assert.match(e.message, /Incorrect API key/);
  }));
  assert.deepEqual(fake.requests.map((r) => r.apiKey).sort(), ['sk-a', 'sk-b']);
  await gw.close();
});

test('429 backs off and rotates to a different key', async () => {
  const sleeper = recordingSleeper();
  const keys = [key('a'), key('b')];
  const gw = createGateway({ config: staticConfig({ openai: provider(fake.origin, { keys, network: { max_retries: 2 } }) }), sleeper });
  fake.failNext(1, 429);
  await gw.handle(request('openai/gpt-4o'), context());
  const [first, second] = fake.requests.map((r) => r.apiKey);
  assert.notEqual(first, second);
  assert.equal(sleeper.waits.length, 1);
  await gw.close();
});

test('key model allow-list routes the model to the key that allows it', async () => {
  const keys = [key('mini-only', { models: ['gpt-4o-mini'] }), key('all', { models: ['*'], weight: 0.001 })];
  const gw = createGateway({ config: staticConfig({ openai: provider(fake.origin, { keys }) }) });
  for (let i = 0; i < 5; i++) await gw.handle(request('openai/gpt-4o'), context());
  assert.deepEqual(new Set(fake.requests.map((r) => r.apiKey)), new Set(['sk-all']));
  await gw.close();
});

test('unknown provider → 400 naming it; custom openai-compatible provider works', async () => {
  const gw = createGateway({ config: staticConfig({ 'my-llm': provider(fake.url, { custom: true }) }) });
  await assert.rejects(gw.handle(request('nope/gpt-4o'), context()), rejectsWith((e) => {
    assert.equal(e.status, 400);
    assert.match(e.message, /nope/);
  }));
  await assert.rejects(gw.handle(request('groq/llama'), context()), /provider groq is not configured/);
  const res = await gw.handle(request('my-llm/local-model'), context()) as InferenceResponse;
  assert.equal(res.servedBy.provider, 'my-llm');
  assert.equal(fake.requests[0]!.path, '/v1/chat/completions', 'base_url ending in /v1 is not doubled');
  await gw.close();
});

test('x-bf-api-key / x-bf-api-key-id pick the named key; an unknown name is a 400', async () => {
  const keys = [key('a', { id: 'id-a' }), key('b', { id: 'id-b' })];
  const gw = createGateway({ config: staticConfig({ openai: provider(fake.origin, { keys }) }) });
  const withHeaders = (headers: Record<string, string>) => ({ ...context(), headers });
  for (let i = 0; i < 4; i++) await gw.handle(request('openai/m'), withHeaders({ 'x-bf-api-key': 'b' }));
  await gw.handle(request('openai/m'), withHeaders({ 'x-bf-api-key': 'b', 'x-bf-api-key-id': 'id-a' }));
  assert.deepEqual(fake.requests.map((r) => r.apiKey), ['sk-b', 'sk-b', 'sk-b', 'sk-b', 'sk-a']);
  await assert.rejects(gw.handle(request('openai/m'), withHeaders({ 'x-bf-api-key': 'zzz' })),
    rejectsWith((e) => { assert.equal(e.status, 400); assert.match(e.message, /zzz/); }));
  await gw.close();
});

test('direct keys are used only when allow_direct_keys is on', async () => {
  const headers = { 'x-bf-direct-key': 'true', authorization: 'Bearer sk-callers-own' };
  const off = createGateway({ config: staticConfig({ openai: provider(fake.origin) }) });
  await off.handle(request('openai/m'), { ...context(), headers });
  const on = createGateway({ config: staticConfig({ openai: provider(fake.origin) }, { allow_direct_keys: true }) });
  await on.handle(request('openai/m'), { ...context(), headers });
  assert.deepEqual(fake.requests.map((r) => r.apiKey), ['sk-main', 'sk-callers-own']);
  await off.close();
  await on.close();
});

test('network errors are retried and reported to observers as network_error attempts', async () => {
  const obs = observer();
  const sleeper = recordingSleeper();
  const gw = createGateway({ config: staticConfig({ openai: provider('http://127.0.0.1:1', { network: { max_retries: 2 } }) }), plugins: [obs], sleeper });
  await assert.rejects(gw.handle(request('openai/m'), context()), rejectsWith((e) => {
    assert.equal(e.status, 502);
    assert.equal(e.type, 'upstream_connection_error');
  }));
  const attempts = obs.events.filter((e) => e.type === 'upstream.attempt');
  assert.deepEqual(attempts.map((a) => a.type === 'upstream.attempt' && a.status), ['network_error', 'network_error', 'network_error']);
  assert.equal(sleeper.waits.length, 2);
  await gw.close();
});

test('a throwing observer or plugin hook does not affect the request', async () => {
  const warnings: string[] = [];
  const logger = { debug() {}, info() {}, error() {}, warn: (_o: object, msg?: string) => { warnings.push(msg ?? ''); } };
  const bad = { name: 'bad', observe() { throw new Error('observer bug'); }, preHook() { throw new Error('pre bug'); } };
  const gw = createGateway({ config: staticConfig({ openai: provider(fake.origin) }), plugins: [bad], logger });
  const res = await gw.handle(request('openai/m'), context()) as InferenceResponse;
  assert.equal(res.kind, 'response');
  assert.ok(warnings.includes('plugin observer threw'));
  assert.ok(warnings.includes('plugin pre-hook threw'));
  await gw.close();
});

test('close() waits for an in-flight stream, then refuses new work', async () => {
  fake.behave({ chunks: 3, chunkDelayMs: 30 });
  const gw = createGateway({ config: staticConfig({ openai: provider(fake.origin) }) });
  const stream = await gw.handle(request('openai/m', {}, { stream: true }), context());
  let closed = false;
  const closing = gw.close().then(() => { closed = true; });
  await assert.rejects(gw.handle(request('openai/m'), context()), rejectsWith((e) => assert.equal(e.type, 'service_unavailable')));
  assert.equal(closed, false);
  if (stream.kind === 'stream') for await (const _ of stream.events) { /* drain */ }
  await closing;
  assert.equal(closed, true);
});

test('duplicate key ids cannot make key rotation loop forever', async () => {
  const keys = [key('a', { id: 'same' }), key('b', { id: 'same' })];
  const gw = createGateway({ config: staticConfig({ openai: provider(fake.origin, { keys }) }), sleeper: recordingSleeper() });
  fake.behave({ status: 401, times: Infinity });
  await assert.rejects(gw.handle(request('openai/m'), context()), rejectsWith((e) => assert.equal(e.type, 'upstream_credentials_exhausted')));
  assert.equal(fake.requests.length, 1);
  await gw.close();
});

test('ALLOWED_KEY_IDS in the context (a virtual key\'s key_ids) restricts key choice; none left → error', async () => {
  const keys = [key('a', { id: 'id-a', weight: 100 }), key('b', { id: 'id-b', weight: 0.01 })];
  const gw = createGateway({ config: staticConfig({ openai: provider(fake.origin, { keys }) }) });
  const restricted = (ids: string[]) => { const ctx = context(); ctx.values.set(ALLOWED_KEY_IDS, ids); return ctx; };
  for (let i = 0; i < 5; i++) await gw.handle(request('openai/m'), restricted(['id-b']));
  assert.deepEqual(new Set(fake.requests.map((r) => r.apiKey)), new Set(['sk-b']));
  await assert.rejects(gw.handle(request('openai/m'), restricted(['id-zzz'])), rejectsWith((e) => assert.ok(e.status >= 400)));
  await gw.close();
});

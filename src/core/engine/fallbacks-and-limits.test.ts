import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeOpenAI, type FakeOpenAI } from '../../../test/support/fake-openai-upstream.js';
import { waitFor } from '../../../test/support/wait.js';
import { GatewayError, isGatewayError } from '../errors.js';
import type { Plugin } from '../plugin.js';
import { Cancellation } from '../cancellation.js';
import type { InferenceResponse } from '../types.js';
import { createGateway } from './create-gateway.js';
import { context, observer, provider, recordingSleeper, request, staticConfig } from './testing/fixtures.js';

let fake: FakeOpenAI;
before(async () => { fake = await startFakeOpenAI(); });
after(async () => { await fake.close(); });
beforeEach(() => fake.reset());

const gatewayError = (check: (e: GatewayError) => void) => (e: unknown) => {
  assert.ok(isGatewayError(e), `expected GatewayError, got ${String(e)}`);
  check(e);
  return true;
};

test('fallbacks run in order after the primary fails; unconfigured fallbacks are skipped', async () => {
  const gw = createGateway({ config: staticConfig({ openai: provider(fake.origin), groq: provider(fake.origin) }) });
  fake.behave({ model: 'primary', status: 500, times: Infinity });
  fake.behave({ model: 'first-fallback', status: 503, times: Infinity });
  const res = await gw.handle(request('openai/primary', {}, {
    fallbacks: ['mistral/not-configured', 'groq/first-fallback', 'openai/second-fallback'],
  }), context()) as InferenceResponse;
  assert.deepEqual(fake.requests.map((r) => r.body?.model), ['primary', 'first-fallback', 'second-fallback']);
  assert.equal(res.servedBy.fallbackIndex, 3);
  assert.equal(res.servedBy.model, 'second-fallback');
  await gw.close();
});

test('when every target fails the PRIMARY error is returned', async () => {
  const gw = createGateway({ config: staticConfig({ openai: provider(fake.origin), groq: provider(fake.origin) }) });
  fake.behave({ model: 'primary', status: 503, message: 'primary is down', times: Infinity });
  fake.behave({ model: 'fb', status: 500, message: 'fallback is down', times: Infinity });
  await assert.rejects(gw.handle(request('openai/primary', {}, { fallbacks: ['groq/fb'] }), context()), gatewayError((e) => {
    assert.equal(e.status, 503);
    assert.equal(e.message, 'primary is down');
  }));
  assert.equal(fake.requests.length, 2);
  await gw.close();
});

test('each fallback gets its own retry budget', async () => {
  const sleeper = recordingSleeper();
  const net = { max_retries: 1 };
  const gw = createGateway({ config: staticConfig({ openai: provider(fake.origin, { network: net }), groq: provider(fake.origin, { network: net }) }), sleeper });
  fake.behave({ model: 'p', status: 500, times: Infinity });
  fake.behave({ model: 'f', status: 500, times: 1 });
  const res = await gw.handle(request('openai/p', {}, { fallbacks: ['groq/f'] }), context()) as InferenceResponse;
  assert.deepEqual(fake.requests.map((r) => r.body?.model), ['p', 'p', 'f', 'f']);
  assert.equal(res.servedBy.attempts, 2);
  await gw.close();
});

test('a plugin error with allowFallbacks=false stops the fallback chain', async () => {
  const blocker: Plugin = {
    name: 'blocker',
    preHook: (req) => (req.target.provider === 'groq'
      ? { error: new GatewayError('groq blocked', { status: 403, type: 'provider_blocked', allowFallbacks: false }) }
      : undefined),
  };
  const gw = createGateway({ config: staticConfig({ openai: provider(fake.origin), groq: provider(fake.origin) }), plugins: [blocker] });
  fake.behave({ model: 'p', status: 500, times: Infinity });
  await assert.rejects(gw.handle(request('openai/p', {}, { fallbacks: ['groq/f', 'openai/never'] }), context()),
    gatewayError((e) => assert.equal(e.type, 'provider_blocked')));
  assert.deepEqual(fake.requests.map((r) => r.body?.model), ['p']);
  await gw.close();
});

test('plugins: pre-hooks in order, short-circuit, post-hooks reversed only for plugins whose pre-hook ran', async () => {
  const log: string[] = [];
  const plugin = (name: string, shortCircuit = false): Plugin => ({
    name,
    preHook: () => {
      log.push(`pre:${name}`);
      if (!shortCircuit) return undefined;
      return { shortCircuit: { kind: 'response', body: { cached: true }, usage: undefined,
        servedBy: { provider: 'cache', model: 'm', requestedModel: 'openai/m', fallbackIndex: 0, keyName: '', attempts: 0, upstreamLatencyMs: 0 } } };
    },
    postHook: async (_req, outcome) => { log.push(`post:${name}`); return outcome; },
  });
  const gw = createGateway({ config: staticConfig({ openai: provider(fake.origin) }), plugins: [plugin('a'), plugin('b', true), plugin('c')] });
  const res = await gw.handle(request('openai/m'), context()) as InferenceResponse;
  assert.deepEqual(res.body, { cached: true });
  assert.deepEqual(log, ['pre:a', 'pre:b', 'post:b', 'post:a']);
  assert.equal(fake.requests.length, 0, 'short-circuit skips the provider');
  await gw.close();
});

test('post-hook can turn an upstream error into a response', async () => {
  const rescue: Plugin = {
    name: 'rescue',
    postHook: (_req, outcome) => (outcome.error ? { result: { kind: 'response', body: { rescued: outcome.error.status }, usage: undefined,
      servedBy: { provider: 'x', model: 'y', requestedModel: 'x/y', fallbackIndex: 0, keyName: '', attempts: 1, upstreamLatencyMs: 0 } } } : outcome),
  };
  const gw = createGateway({ config: staticConfig({ openai: provider(fake.origin) }), plugins: [rescue] });
  fake.failNext(1, 500);
  const res = await gw.handle(request('openai/m'), context()) as InferenceResponse;
  assert.deepEqual(res.body, { rescued: 500 });
  await gw.close();
});

test('a post-hook that returns a spread copy of the response keeps its body', async () => {
  const stamp: Plugin = {
    name: 'stamp',
    postHook: (_req, outcome) => (outcome.result?.kind === 'response'
      ? { result: { ...outcome.result, usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } } } : outcome),
  };
  const gw = createGateway({ config: staticConfig({ openai: provider(fake.origin) }), plugins: [stamp] });
  const res = await gw.handle(request('openai/m'), context()) as InferenceResponse;
  assert.equal(res.usage?.total_tokens, 3);
  assert.equal(res.raw, undefined, 'the copy must not forward the text the hook may have changed');
  assert.ok(Array.isArray(res.body.choices), `the copy has the upstream's body: ${JSON.stringify(res.body)}`);
  await gw.close();
});

test('queue full with drop_excess_requests → immediate 429 request_dropped', async () => {
  const cfg = staticConfig({ openai: provider(fake.origin, { concurrency: { concurrency: 1, buffer_size: 1 } }) }, { drop_excess_requests: true });
  const gw = createGateway({ config: cfg });
  fake.behave({ hang: true, times: 1 });
  const ac = new Cancellation();
  const hanging = gw.handle(request('openai/m'), context(ac));
  await waitFor(() => fake.requests.length === 1, { message: 'first request reaches the upstream' });
  const queued = gw.handle(request('openai/m'), context());
  await assert.rejects(gw.handle(request('openai/m'), context()), gatewayError((e) => {
    assert.equal(e.status, 429);
    assert.equal(e.type, 'request_dropped');
    assert.equal(e.message, 'request dropped: queue is full');
  }));
  ac.abort();
  await assert.rejects(hanging, gatewayError((e) => assert.equal(e.type, 'request_cancelled')));
  assert.equal((await queued as InferenceResponse).kind, 'response', 'queued request runs once the slot frees');
  await gw.close();
});

test('upstream slower than default_request_timeout_in_seconds → 504 timeout', async () => {
  const gw = createGateway({ config: staticConfig({ openai: provider(fake.origin, { network: { default_request_timeout_in_seconds: 0.3 } }) }) });
  fake.behave({ delayMs: 5000 });
  const started = Date.now();
  await assert.rejects(gw.handle(request('openai/m'), context()), gatewayError((e) => {
    assert.equal(e.status, 504);
    assert.equal(e.type, 'timeout');
  }));
  assert.ok(Date.now() - started < 3000, 'timed out well before the upstream answered');
  await gw.close();
});

test('caller abort cancels the upstream request (seen at the upstream) and reports request_cancelled', async () => {
  const obs = observer();
  const gw = createGateway({ config: staticConfig({ openai: provider(fake.origin) }), plugins: [obs] });
  fake.behave({ hang: true });
  const ac = new Cancellation();
  const pending = gw.handle(request('openai/m'), context(ac));
  await waitFor(() => fake.requests.length === 1, { message: 'request reaches the upstream' });
  ac.abort();
  await assert.rejects(pending, gatewayError((e) => assert.equal(e.type, 'request_cancelled')));
  await waitFor(() => fake.requests[0]!.aborted, { message: 'upstream sees the connection close' });
  assert.equal(obs.ends[0]!.status, 'error');
  await gw.close();
});

test('abort during backoff stops retrying at once', async () => {
  const ac = new Cancellation();
  const sleeper = { sleep: (_ms: number, signal?: AbortSignal) => new Promise<void>((_r, reject) => {
    signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
    ac.abort();
  }) };
  const gw = createGateway({ config: staticConfig({ openai: provider(fake.origin, { network: { max_retries: 5 } }) }), sleeper });
  fake.failNext(5, 500);
  await assert.rejects(gw.handle(request('openai/m', {}, { fallbacks: ['openai/f'] }), context(ac)),
    gatewayError((e) => assert.equal(e.type, 'request_cancelled')));
  assert.equal(fake.requests.length, 1);
  await gw.close();
});

test('listModels aggregates providers with provider/ prefixes and tolerates a failing one', async () => {
  const gw = createGateway({ config: staticConfig({ openai: provider(fake.origin), groq: provider('http://127.0.0.1:1') }) });
  const list = await gw.listModels(context());
  assert.deepEqual((list.data as Array<{ id: string }>).map((m) => m.id), ['openai/gpt-4o-mini', 'openai/gpt-4o']);
  await assert.rejects(gw.listModels(context(), 'groq'), gatewayError((e) => assert.equal(e.type, 'upstream_connection_error')));
  await assert.rejects(gw.listModels(context(), 'nope'), gatewayError((e) => assert.equal(e.status, 400)));
  await gw.close();
});

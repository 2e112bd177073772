// The governance rules driven through the plugin hooks the engine calls (pre-hook, post-hook,
// request.end), with an injected clock: limits, budgets, access errors, concurrency and streams.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cancellation, InMemoryUsageCounters, type UsageCounters, type InferenceRequest, type RequestContext, type StreamEvent, type GatewayError } from '../../core/index.js';
import { governanceConfigSchema, governancePluginConfigSchema } from './config-schema.js';
import { createGovernancePlugin } from './plugin.js';
import { GovernanceState } from './state.js';

const VK = 'sk-bf-test-key';
const price = { input_cost_per_token: 0.001, output_cost_per_token: 0.002 };

function setup(governance: unknown, plugin: Record<string, unknown> = {}, counters: UsageCounters = new InMemoryUsageCounters()) {
  const state = new GovernanceState();
  assert.deepEqual(state.loadConfig(governanceConfigSchema.parse(governance)), []);
  let now = Date.UTC(2026, 0, 1);
  const gp = createGovernancePlugin({
    state, counters, pricing: { price: () => price }, config: governancePluginConfigSchema.parse(plugin),
    client: () => ({ enforce_governance_header: false, enforce_auth_on_inference: false }),
    clock: { now: () => now, monotonic: () => now }, random: { next: () => 0.5 },
    logger: { debug() {}, info() {}, warn() {}, error() {} },
  });
  return { gp, counters, state, advance: (ms: number) => { now += ms; } };
}

const vkWith = (extra: Record<string, unknown>, pcs: unknown[] = [{ provider: 'openai', allowed_models: ['*'] }]) =>
  ({ id: 'vk1', name: 'vk one', value: VK, provider_configs: pcs, ...extra });

function call(model = 'openai/gpt-4o', opts: { headers?: Record<string, string>; body?: Record<string, unknown>; stream?: boolean } = {}) {
  const [provider, name] = model.includes('/') ? model.split('/') as [string, string] : ['', model];
  const request: InferenceRequest = { requestType: 'chat_completion', target: { provider, model: name }, fallbacks: [],
    body: { model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 6, ...opts.body }, stream: opts.stream ?? false };
  const ctx: RequestContext = { requestId: 'r', cancellation: new Cancellation(), headers: opts.headers ?? { 'x-bf-vk': VK },
    startedAt: 0, values: new Map() };
  return { request, ctx };
}

const servedBy = { provider: 'openai', model: 'gpt-4o', requestedModel: 'openai/gpt-4o', fallbackIndex: 0, keyName: 'k', attempts: 1, upstreamLatencyMs: 1 };
const usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };

async function run(gp: ReturnType<typeof setup>['gp'], model?: string, opts?: Parameters<typeof call>[1]): Promise<GatewayError | 'ok'> {
  const { request, ctx } = call(model, opts);
  const pre = await gp.preHook!(request, ctx);
  if (pre && 'error' in pre) return pre.error;
  await gp.postHook!(request, { result: { kind: 'response', body: {}, usage, servedBy } }, ctx);
  return 'ok';
}

test('request limit N: N pass, the N+1th is 429 request_limited; the window resets', async () => {
  const s = setup({ rate_limits: [{ id: 'rl', request_max_limit: 3, request_reset_duration: '1m' }], virtual_keys: [vkWith({ rate_limit_id: 'rl' })] });
  for (let i = 0; i < 3; i++) assert.equal(await run(s.gp), 'ok');
  const err = await run(s.gp) as GatewayError;
  assert.equal(err.status, 429);
  assert.equal(err.type, 'request_limited');
  s.advance(60_000);
  assert.equal(await run(s.gp), 'ok');
});

test('token limit: blocks once used tokens reach the cap (429 token_limited)', async () => {
  const s = setup({ rate_limits: [{ id: 'rl', token_max_limit: 40, token_reset_duration: '1h' }], virtual_keys: [vkWith({ rate_limit_id: 'rl' })] });
  for (let i = 0; i < 3; i++) assert.equal(await run(s.gp), 'ok'); // 15 tokens each → 45
  const err = await run(s.gp) as GatewayError;
  assert.equal([err.status, err.type].join(' '), '429 token_limited');
});

test('budget: 402 budget_exceeded once cost reaches the cap, at team and customer level too', async () => {
  // each call costs 10*0.001 + 5*0.002 = 0.02
  const s = setup({
    budgets: [{ id: 'b-cust', max_limit: 0.05, reset_duration: '1M' }],
    customers: [{ id: 'c1', name: 'acme', budget_id: 'b-cust' }],
    teams: [{ id: 't1', name: 'eng', customer_id: 'c1' }],
    virtual_keys: [vkWith({ team_id: 't1' })],
  });
  for (let i = 0; i < 3; i++) assert.equal(await run(s.gp), 'ok');
  const err = await run(s.gp) as GatewayError;
  assert.equal([err.status, err.type].join(' '), '402 budget_exceeded');
  assert.match(err.message, /customer budget exceeded/);
});

test('concurrent admissions against a budget worth 10 requests admit at most 11', async () => {
  const s = setup({ budgets: [{ id: 'b', max_limit: 0.2, reset_duration: '1d' }], virtual_keys: [vkWith({ budget_id: 'b' })] });
  const admitted: ReturnType<typeof call>[] = [];
  for (let i = 0; i < 200; i++) {
    const c = call();
    const pre = await s.gp.preHook!(c.request, c.ctx);
    if (!pre) admitted.push(c);
  }
  assert.ok(admitted.length <= 11 && admitted.length >= 9, `admitted ${admitted.length}`);
  console.log(`# governance: 200 concurrent admissions, budget worth 10 → admitted ${admitted.length}`);
  for (const c of admitted) await s.gp.postHook!(c.request, { result: { kind: 'response', body: {}, usage, servedBy } }, c.ctx);
  assert.equal((await run(s.gp) as GatewayError).type, 'budget_exceeded');
});

test('access errors: missing mandatory VK 400, unknown 403, inactive 403, provider/model blocked 403', async () => {
  const s = setup({ virtual_keys: [vkWith({}, [{ provider: 'openai', allowed_models: ['gpt-4o-mini', 'regex:gpt-4\\.1.*'] }])] }, { is_vk_mandatory: true });
  assert.equal((await run(s.gp, 'openai/gpt-4o', { headers: {} }) as GatewayError).type, 'virtual_key_required');
  assert.equal((await run(s.gp, 'openai/gpt-4o', { headers: {} }) as GatewayError).status, 400);
  assert.equal((await run(s.gp, 'openai/gpt-4o', { headers: { authorization: 'Bearer sk-bf-nope' } }) as GatewayError).type, 'virtual_key_not_found');
  assert.equal((await run(s.gp, 'anthropic/claude', { headers: { 'x-api-key': VK } }) as GatewayError).type, 'provider_blocked');
  const blocked = await run(s.gp, 'openai/gpt-4o', { headers: { 'api-key': VK } }) as GatewayError;
  assert.equal([blocked.status, blocked.type].join(' '), '403 model_blocked');
  assert.equal(await run(s.gp, 'openai/GPT-4.1-mini', { headers: { 'x-goog-api-key': VK } }), 'ok');
  s.state.virtualKeys.get('vk1')!.is_active = false;
  assert.equal((await run(s.gp) as GatewayError).type, 'virtual_key_blocked');
});

test('bare model routed by weight through the VK provider configs, others become fallbacks', async () => {
  const s = setup({ virtual_keys: [vkWith({}, [
    { provider: 'openai', weight: 0.2, allowed_models: ['m'] },
    { provider: 'groq', weight: 0.8, allowed_models: ['m'] },
    { provider: 'anthropic', weight: 1, allowed_models: ['other'] }])] });
  const { request, ctx } = call('m');
  assert.equal(await s.gp.preHook!(request, ctx), undefined);
  assert.deepEqual(request.target, { provider: 'groq', model: 'm' }); // random 0.5 → heavier groq
  assert.deepEqual(request.fallbacks, [{ provider: 'openai', model: 'm' }]);
});

test('stream: usage from the usage chunk is billed, a cut stream billed for what it produced', async () => {
  const s = setup({ rate_limits: [{ id: 'rl', token_max_limit: 1000, token_reset_duration: '1h' }], virtual_keys: [vkWith({ rate_limit_id: 'rl' })] });
  const ev = (chunk: Record<string, unknown>): StreamEvent => ({ data: JSON.stringify(chunk), chunk });
  async function* upstream(cut: boolean) {
    yield ev({ choices: [{ delta: { content: 'x'.repeat(40) } }] });
    if (cut) throw new Error('upstream reset');
    yield ev({ choices: [], usage: { prompt_tokens: 3, completion_tokens: 7, total_tokens: 10 } });
  }
  const { request, ctx } = call('openai/gpt-4o', { stream: true });
  await s.gp.preHook!(request, ctx);
  const out = await s.gp.postHook!(request, { result: { kind: 'stream', events: upstream(false), servedBy, terminator: 'done' } }, ctx);
  const seen: StreamEvent[] = [];
  for await (const e of (out.result as { events: AsyncIterable<StreamEvent> }).events) seen.push(e);
  assert.equal(seen.length, 2, 'the meter forwards every chunk (the engine decides about usage-only chunks)');
  const w = s.gp.windows.get('1h');
  assert.equal(s.counters.read('rl:rl:tokens', w, Date.UTC(2026, 0, 1)).used, 10);
  assert.equal(s.counters.read('rl:rl:tokens', w, Date.UTC(2026, 0, 1)).reserved, 0);

  const cut = call('openai/gpt-4o', { stream: true, body: { max_tokens: 100 } });
  await s.gp.preHook!(cut.request, cut.ctx);
  const out2 = await s.gp.postHook!(cut.request, { result: { kind: 'stream', events: upstream(true), servedBy, terminator: 'done' } }, cut.ctx);
  await assert.rejects(async () => { for await (const _ of (out2.result as { events: AsyncIterable<StreamEvent> }).events) { /* drain */ } });
  const after = s.counters.read('rl:rl:tokens', w, Date.UTC(2026, 0, 1));
  assert.equal(after.reserved, 0);
  // 40 chars ≈ 10 completion tokens + the prompt estimate, not the 100-token reservation
  assert.ok(after.used > 10 + 10 && after.used < 10 + 40, `billed ${after.used - 10} tokens`);
});

test('counter failure policy: fail_open admits uncounted, fail_closed answers 503 governance_unavailable', async () => {
  // Unreachable replicated counters fail every operation, reads and reservations alike.
  const broken = () => {
    const counters = new InMemoryUsageCounters();
    counters.read = () => { throw new Error('peers unreachable'); };
    counters.reserve = () => { throw new Error('peers unreachable'); };
    return counters;
  };
  const gov = { rate_limits: [{ id: 'rl', request_max_limit: 1, request_reset_duration: '1m' }], virtual_keys: [vkWith({ rate_limit_id: 'rl' })] };
  const open = setup(gov, {}, broken());
  assert.equal(await run(open.gp), 'ok');
  assert.equal(await run(open.gp), 'ok');
  const closed = setup(gov, { counter_failure_policy: 'fail_closed' }, broken());
  const err = await run(closed.gp) as GatewayError;
  assert.equal([err.status, err.type].join(' '), '503 governance_unavailable');
});

test('admin edits apply to the next request: limits are planned per key, not frozen', async () => {
  const s = setup({
    budgets: [{ id: 'b', max_limit: 0.04, reset_duration: '1d' }],
    rate_limits: [{ id: 'rl', request_max_limit: 100, request_reset_duration: '1m' }],
    teams: [{ id: 't1', name: 'eng' }],
    virtual_keys: [vkWith({ rate_limit_id: 'rl', team_id: 't1' })],
  });
  assert.equal(await run(s.gp), 'ok');
  // Give the key's team a budget while a request is in flight: it is charged when it settles.
  const inFlight = call();
  assert.equal(await s.gp.preHook!(inFlight.request, inFlight.ctx), undefined);
  assert.deepEqual(s.state.putTeam({ id: 't1', name: 'eng', budget_id: 'b' }), { ok: true });
  await s.gp.postHook!(inFlight.request, { result: { kind: 'response', body: {}, usage, servedBy } }, inFlight.ctx);
  const day = s.gp.windows.get('1d');
  assert.equal(s.counters.read('budget:b', day, Date.UTC(2026, 0, 1)).used.toFixed(2), '0.02');
  assert.equal(await run(s.gp), 'ok'); // $0.04 of $0.04
  assert.equal((await run(s.gp) as GatewayError).type, 'budget_exceeded');
  // A rate limit replaced with a lower cap binds at once.
  s.state.putBudget({ id: 'b', max_limit: 100, reset_duration: '1d' });
  s.state.putRateLimit({ id: 'rl', request_max_limit: 4, request_reset_duration: '1m' });
  assert.equal(await run(s.gp), 'ok'); // the 4th request in this minute
  assert.equal((await run(s.gp) as GatewayError).type, 'request_limited');
});

test('bare model: a provider config whose own limits are used up is skipped', async () => {
  const s = setup({
    rate_limits: [{ id: 'rl-groq', request_max_limit: 1, request_reset_duration: '1m' }],
    virtual_keys: [vkWith({}, [
      { provider: 'openai', weight: 0.2, allowed_models: ['m'] },
      { provider: 'groq', weight: 0.8, allowed_models: ['m'], rate_limit_id: 'rl-groq' }])],
  });
  const first = call('m');
  assert.equal(await s.gp.preHook!(first.request, first.ctx), undefined);
  assert.equal(first.request.target.provider, 'groq');
  await s.gp.postHook!(first.request, { result: { kind: 'response', body: {}, usage, servedBy: { ...servedBy, provider: 'groq', model: 'm' } } }, first.ctx);
  const second = call('m');
  assert.equal(await s.gp.preHook!(second.request, second.ctx), undefined);
  assert.deepEqual(second.request.target, { provider: 'openai', model: 'm' });
});

test('expiry: a key is refused from its expires_at on, and a changed expires_at applies at once', async () => {
  // The test clock starts at 2026-01-01T00:00:00Z.
  const s = setup({ virtual_keys: [vkWith({ expires_at: '2026-01-01T00:01:00Z' })] });
  assert.equal(await run(s.gp), 'ok');
  s.advance(60_000);
  const err = await run(s.gp) as GatewayError;
  assert.equal([err.status, err.type, err.message].join(' '), '403 virtual_key_blocked virtual key is expired');
  s.state.virtualKeys.get('vk1')!.expires_at = '2026-01-02T00:00:00Z';
  assert.equal(await run(s.gp), 'ok');
});

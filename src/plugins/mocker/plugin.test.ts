import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cancellation, isGatewayError, type InferenceRequest, type InferenceResult, type PreHookOutcome, type RequestContext, type StreamEvent } from '../../core/index.js';
import { createMockerPlugin, durationMs } from './index.js';

function request(over: Partial<InferenceRequest> = {}, text = 'hello there'): InferenceRequest {
  return {
    requestType: 'chat_completion', target: { provider: 'openai', model: 'gpt-4o' }, fallbacks: [], stream: false,
    body: { model: 'openai/gpt-4o', messages: [{ role: 'user', content: text }] }, ...over,
  };
}
const ctx: RequestContext = { requestId: 'r', cancellation: new Cancellation(), headers: {}, startedAt: 0, values: new Map() };
const seq = (...values: number[]) => ({ next: () => values.shift() ?? 0 });

async function run(plugin: ReturnType<typeof createMockerPlugin>, req: InferenceRequest): Promise<PreHookOutcome> {
  return plugin.preHook!(req, ctx);
}
function result(outcome: PreHookOutcome): InferenceResult {
  assert.ok(outcome && 'shortCircuit' in outcome, `expected a short-circuit, got ${JSON.stringify(outcome)}`);
  return outcome.shortCircuit;
}
async function collect(events: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

test('no rules: a default catch-all answers every chat request with an OpenAI-shaped completion', async () => {
  const res = result(await run(createMockerPlugin({ enabled: true }), request()));
  assert.equal(res.kind, 'response');
  if (res.kind !== 'response') return;
  assert.equal(res.body.object, 'chat.completion');
  const choice = (res.body.choices as any[])[0];
  assert.equal(choice.message.content, 'This is a mock response from the Mocker plugin');
  assert.equal(choice.finish_reason, 'stop');
  assert.deepEqual(res.usage, { prompt_tokens: 10, completion_tokens: 20, total_tokens: 30 });
  assert.equal(res.servedBy.provider, 'openai');
  assert.equal((res.body.extra_fields as any).provider, 'openai');
});

test('conditions: provider, model and a Go-style (?i) message regex must all match; priority orders rules', async () => {
  const plugin = createMockerPlugin({ rules: [
    { name: 'low', priority: 1, responses: [{ type: 'success', content: { message: 'low' } }] },
    { name: 'help', priority: 10, conditions: { providers: ['openai'], models: ['gpt-4o'], message_regex: '(?i)\\bHELP\\b' },
      responses: [{ type: 'success', content: { message_template: 'help from {{provider}}/{{model}}' } }] },
  ] });
  const text = async (req: InferenceRequest) => {
    const r = result(await run(plugin, req));
    return r.kind === 'response' ? (r.body.choices as any[])[0].message.content : undefined;
  };
  assert.equal(await text(request({}, 'please help me')), 'help from openai/gpt-4o');
  assert.equal(await text(request({}, 'nothing relevant')), 'low');
  assert.equal(await text(request({ target: { provider: 'groq', model: 'gpt-4o' } }, 'help')), 'low');
});

test('error responses become provider-style GatewayErrors with status, type, code and fallback control', async () => {
  const plugin = createMockerPlugin({ rules: [{ name: 'rl', responses: [{ type: 'error', allow_fallbacks: false,
    error: { message: 'Rate limit exceeded', type: 'rate_limit', code: '429', status_code: 429 } }] }] });
  const outcome = await run(plugin, request());
  assert.ok(outcome && 'error' in outcome);
  assert.ok(isGatewayError(outcome.error));
  assert.equal(outcome.error.status, 429);
  assert.equal(outcome.error.type, 'rate_limit');
  assert.equal(outcome.error.code, '429');
  assert.equal(outcome.error.allowFallbacks, false);
  assert.equal(outcome.error.isBifrostError, false);
});

test('probability and weighted responses use the injected Random', async () => {
  const config = { rules: [{ name: 'r', probability: 0.5, responses: [
    { type: 'success', weight: 3, content: { message: 'A' } }, { type: 'success', weight: 1, content: { message: 'B' } }] }] };
  // roll 0.9 >= 0.5: rule does not fire → passthrough
  assert.equal(await run(createMockerPlugin(config, { random: seq(0.9) }), request()), undefined);
  const pickText = async (...rolls: number[]) => {
    const r = result(await run(createMockerPlugin(config, { random: seq(...rolls) }), request()));
    return r.kind === 'response' ? (r.body.choices as any[])[0].message.content : '';
  };
  assert.equal(await pickText(0.1, 0.7), 'A'); // 0.7*4 = 2.8 < 3
  assert.equal(await pickText(0.1, 0.8), 'B'); // 3.2 >= 3
});

test('latency: Go durations in nanoseconds or strings; rule latency overrides global', async () => {
  assert.equal(durationMs(250_000_000), 250);
  assert.equal(durationMs('1.5s'), 1500);
  const waits: number[] = [];
  const plugin = createMockerPlugin({ global_latency: { type: 'fixed', min: '40ms' }, rules: [
    { name: 'slow', conditions: { models: ['slow'] }, latency: { type: 'uniform', min: '100ms', max: '200ms' }, responses: [{ type: 'success', content: { message: 's' } }] },
    { name: 'any', priority: -1, responses: [{ type: 'success', content: { message: 'a' } }] },
  ] }, { random: seq(0.5), delay: async (ms) => { waits.push(ms); } });
  await run(plugin, request({ target: { provider: 'openai', model: 'slow' } }));
  await run(plugin, request());
  assert.deepEqual(waits, [150, 40]);
});

test('streaming: several chat chunks, role first, finish + usage last, [DONE] terminator', async () => {
  const res = result(await run(createMockerPlugin({ rules: [{ name: 'r', responses: [{ type: 'success', content: { message: 'one two three' } }] }] }), request({ stream: true })));
  assert.equal(res.kind, 'stream');
  if (res.kind !== 'stream') return;
  assert.equal(res.terminator, 'done');
  const events = await collect(res.events);
  assert.equal(events.length, 4);
  assert.equal((events[0]!.chunk.choices as any[])[0].delta.role, 'assistant');
  assert.equal(events.slice(0, 3).map((e) => (e.chunk.choices as any[])[0].delta.content).join(''), 'one two three');
  assert.equal((events[3]!.chunk.choices as any[])[0].finish_reason, 'stop');
  assert.deepEqual(JSON.parse(events[3]!.data).usage, { prompt_tokens: 10, completion_tokens: 20, total_tokens: 30 });
});

test('responses API streams use event names and no [DONE]', async () => {
  const res = result(await run(createMockerPlugin({}), request({ requestType: 'responses', stream: true, body: { model: 'openai/gpt-4o', input: 'hi' } })));
  assert.equal(res.kind, 'stream');
  if (res.kind !== 'stream') return;
  assert.equal(res.terminator, 'none');
  const names = (await collect(res.events)).map((e) => e.event);
  assert.equal(names[0], 'response.created');
  assert.equal(names.at(-1), 'response.completed');
  assert.ok(names.includes('response.output_text.delta'));
});

test('default_behavior and disabled plugin; invalid config names the field', async () => {
  const unmatched = request({ target: { provider: 'anthropic', model: 'x' } });
  const rules = [{ name: 'only-openai', conditions: { providers: ['openai'] }, responses: [{ type: 'success', content: { message: 'm' } }] }];
  assert.equal(await run(createMockerPlugin({ rules }), unmatched), undefined);
  const err = await run(createMockerPlugin({ rules, default_behavior: 'error' }), unmatched);
  assert.ok(err && 'error' in err && err.error.status === 500);
  assert.equal(await run(createMockerPlugin({ enabled: false }), request()), undefined);
  assert.throws(() => createMockerPlugin({ rules: [{ name: 'x', responses: [{ type: 'success' }] }] }), /content/);
  assert.throws(() => createMockerPlugin({ rules: [{ name: 'x', conditions: { message_regex: '(' }, responses: [{ type: 'error', error: { message: 'e' } }] }] }), /regular expression/);
});

test('embeddings are answered too: one unit vector per input, the same text the same vector, dimensions and base64 honoured', async () => {
  const plugin = createMockerPlugin({ enabled: true, default_behavior: 'success' });
  const embed = async (body: Record<string, unknown>) => {
    const res = result(await run(plugin, request({ requestType: 'embedding', body: { model: 'openai/text-embedding-3-small', ...body } })));
    assert.equal(res.kind, 'response');
    if (res.kind !== 'response') throw new Error('unreachable');
    return res;
  };
  const res = await embed({ input: ['alpha', 'beta', 'alpha'] });
  assert.equal(res.body.object, 'list');
  const data = res.body.data as Array<{ object: string; index: number; embedding: number[] }>;
  assert.deepEqual(data.map((d) => [d.object, d.index]), [['embedding', 0], ['embedding', 1], ['embedding', 2]]);
  assert.equal(data[0]!.embedding.length, 1536);
  assert.ok(Math.abs(Math.hypot(...data[0]!.embedding) - 1) < 1e-5, 'unit length');
  assert.deepEqual(data[2]!.embedding, data[0]!.embedding, 'same text, same vector');
  assert.notDeepEqual(data[1]!.embedding, data[0]!.embedding);
  // About four characters a token: alpha 2, beta 1, alpha 2.
  assert.deepEqual(res.body.usage, { prompt_tokens: 5, total_tokens: 5 });
  assert.equal((res.body.extra_fields as any).provider_mocked, true);
  assert.equal((res.body.extra_fields as any).request_type, 'embedding');

  const short = await embed({ input: 'alpha', dimensions: 8 });
  const floats = (short.body.data as any[])[0].embedding as number[];
  assert.equal(floats.length, 8);
  const packed = await embed({ input: 'alpha', dimensions: 8, encoding_format: 'base64' });
  const bytes = Buffer.from((packed.body.data as any[])[0].embedding as string, 'base64');
  const decoded = Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4));
  assert.deepEqual(decoded, floats, 'base64 carries the same float32 vector');
  const tokens = await embed({ input: [[1, 2, 3], [4, 5]] });
  assert.equal((tokens.body.data as any[]).length, 2, 'token arrays: one vector each');
  assert.deepEqual(tokens.usage, { prompt_tokens: 5, completion_tokens: 0, total_tokens: 5 }, 'token arrays count their tokens');
});

test('embedding rules: conditions match the input text; errors and usage come from the rule', async () => {
  const plugin = createMockerPlugin({ rules: [
    { name: 'boom', priority: 5, conditions: { message_regex: 'boom' }, responses: [{ type: 'error', error: { message: 'no', status_code: 503 } }] },
    { name: 'ok', responses: [{ type: 'success', content: { message: 'unused', usage: { prompt_tokens: 3, completion_tokens: 0 } } }] },
  ] });
  const failed = await run(plugin, request({ requestType: 'embedding', body: { model: 'm', input: 'boom' } }));
  assert.ok(failed && 'error' in failed && failed.error.status === 503);
  const ok = result(await run(plugin, request({ requestType: 'embedding', body: { model: 'm', input: 'fine' } })));
  assert.ok(ok.kind === 'response');
  assert.deepEqual(ok.usage, { prompt_tokens: 3, completion_tokens: 0, total_tokens: 3 });
});

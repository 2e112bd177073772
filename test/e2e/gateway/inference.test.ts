// The /v1 routes through the real server with the official openai SDK against the fake upstream.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type Stack } from './harness.js';

let stack: Stack;
before(async () => { stack = await startStack(); });
after(async () => { await stack?.close(); });

test('chat completion: answer, usage, extra_fields, x-bifrost headers, key and model forwarded', async () => {
  const { data, response } = await stack.client.chat.completions
    .create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'say hi' }] })
    .withResponse();
  assert.equal(data.object, 'chat.completion');
  assert.equal(typeof data.choices[0]?.message.content, 'string');
  assert.ok((data.usage?.total_tokens ?? 0) > 0);
  const extra = (data as unknown as { extra_fields: Record<string, unknown> }).extra_fields;
  assert.equal(extra.provider, 'openai');
  assert.equal(extra.request_type, 'chat_completion');
  assert.equal(response.headers.get('x-bifrost-provider'), 'openai');
  assert.equal(response.headers.get('x-bifrost-resolved-model'), 'gpt-4o-mini');
  assert.equal(response.headers.get('x-bifrost-original-model'), 'gpt-4o-mini');
  assert.equal(response.headers.get('x-bifrost-request-type'), 'chat_completion');
  assert.equal(response.headers.get('x-bifrost-routing-info-key'), 'k1');
  assert.match(response.headers.get('x-bifrost-upstream-latency-ms') ?? '', /^\d+\.\d{3}$/);
  assert.equal(response.headers.get('x-bifrost-fallback-index'), null, 'absent when the primary served');
  assert.match(response.headers.get('x-bifrost-request-id') ?? '', /^[0-9a-f-]{36}$/);
  const upstream = stack.fake.requests.at(-1)!;
  assert.equal(upstream.apiKey, 'sk-test-1', 'the configured key is used, not the caller\'s');
  assert.equal(upstream.body?.model, 'gpt-4o-mini', 'provider prefix stripped upstream');
});

test('x-request-id is honoured as the request id', async () => {
  const res = await stack.post('/v1/chat/completions', JSON.stringify({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'x' }] }), { 'x-request-id': 'my-req-42' });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('x-bifrost-request-id'), 'my-req-42');
});

test('the request JSON reaches the provider as the caller wrote it, model and fallbacks aside', async () => {
  const body = '{"model":"openai/gpt-4o","seed":12345678901234567890,"temperature":1.0,'
    + '"messages":[{"role":"user","content":"caf\\u00e9"}],"fallbacks":["openai/gpt-4o-mini"]}';
  const res = await stack.post('/v1/chat/completions', body);
  assert.equal(res.status, 200);
  // A parse-and-serialize gateway would send 12345678901234567000, 1 and "café".
  assert.equal(stack.fake.requests.at(-1)!.rawBody,
    '{"model":"gpt-4o","seed":12345678901234567890,"temperature":1.0,"messages":[{"role":"user","content":"caf\\u00e9"}]}');
});

test('tool calls and response_format pass through both ways', async () => {
  const tools = [{ type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];
  const responseFormat = { type: 'json_schema' as const, json_schema: { name: 'w', schema: { type: 'object' } } };
  const data = await stack.client.chat.completions.create({
    model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'weather?' }], tools, tool_choice: 'auto', response_format: responseFormat,
  });
  const sent = stack.fake.requests.at(-1)!.body!;
  assert.deepEqual(sent.tools, tools);
  assert.deepEqual(sent.response_format, responseFormat);
  assert.equal(sent.tool_choice, 'auto');
  const call = data.choices[0]?.message.tool_calls?.[0];
  assert.equal(call?.type === 'function' ? call.function.name : undefined, 'get_weather');
  assert.equal(data.choices[0]?.finish_reason, 'tool_calls');
});

test('embeddings (float and base64 through the SDK)', async () => {
  const data = await stack.client.embeddings.create({ model: 'openai/text-embedding-3-small', input: ['a', 'b'] });
  assert.equal(data.data.length, 2);
  assert.equal(data.data[0]?.embedding.length, 8);
  assert.ok(data.data[0]!.embedding.every((v) => typeof v === 'number'));
  assert.equal(stack.fake.requests.at(-1)!.body?.model, 'text-embedding-3-small');
});

test('text completions and the Responses API', async () => {
  const text = await stack.client.completions.create({ model: 'openai/gpt-3.5-turbo-instruct', prompt: 'once upon' });
  assert.equal(text.object, 'text_completion');
  assert.equal(typeof text.choices[0]?.text, 'string');
  const resp = await stack.client.responses.create({ model: 'openai/gpt-4o', input: 'hello' });
  assert.equal(resp.status, 'completed');
  assert.ok(resp.output_text.length > 0);
});

test('models are listed across configured providers', async () => {
  const page = await stack.client.models.list();
  const ids = page.data.map((m) => m.id);
  assert.ok(ids.some((id) => id.includes('gpt-4o')), `got ${ids.join(', ')}`);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ProviderConfig } from '../../runtime-config.js';
import type { InferenceRequest } from '../../types.js';
import { createProviderRegistry } from '../registry.js';
import type { AdapterTarget } from '../adapter.js';

const config = (base_url?: string, extra: Partial<ProviderConfig> = {}): ProviderConfig => ({
  keys: [],
  network_config: { ...(base_url ? { base_url } : {}), default_request_timeout_in_seconds: 30, max_retries: 0, retry_backoff_initial: 500, retry_backoff_max: 5000 },
  concurrency_and_buffer_size: { concurrency: 10, buffer_size: 10 },
  ...extra,
});
const target = (provider: string, cfg: ProviderConfig, value = 'sk-x'): AdapterTarget =>
  ({ provider, model: 'm', key: { id: 'k', name: 'k', value, models: [], weight: 1, enabled: true }, config: cfg });
const chat = (stream = false): InferenceRequest => ({
  requestType: 'chat_completion', target: { provider: 'openai', model: 'm' }, fallbacks: [{ provider: 'groq', model: 'x' }],
  body: { model: 'openai/m', messages: [{ role: 'user', content: 'hi' }], fallbacks: ['groq/x'], ...(stream ? { stream: true } : {}) },
  stream,
});

test('vendor default base URLs and path prefixes', () => {
  const registry = createProviderRegistry();
  const cases: Array<[string, string, string]> = [
    ['openai', 'https://api.openai.com', '/v1/chat/completions'],
    ['groq', 'https://api.groq.com', '/openai/v1/chat/completions'],
    ['mistral', 'https://api.mistral.ai', '/v1/chat/completions'],
    ['openrouter', 'https://openrouter.ai', '/api/v1/chat/completions'],
    ['deepseek', 'https://api.deepseek.com', '/v1/chat/completions'],
    ['xai', 'https://api.x.ai', '/v1/chat/completions'],
    ['cerebras', 'https://api.cerebras.ai', '/v1/chat/completions'],
    ['together', 'https://api.together.xyz', '/v1/chat/completions'],
    ['fireworks', 'https://api.fireworks.ai', '/inference/v1/chat/completions'],
    ['perplexity', 'https://api.perplexity.ai', '/chat/completions'],
  ];
  for (const [name, origin, path] of cases) {
    const cfg = config();
    const req = registry.resolve(name, cfg)!.buildRequest(chat(), target(name, cfg));
    assert.equal(req.origin, origin, name);
    assert.equal(req.path, path, name);
  }
});

test('ollama and vllm need base_url; a base_url with or without /v1 gives one /v1', () => {
  const registry = createProviderRegistry();
  for (const name of ['ollama', 'vllm']) {
    const cfg = config();
    assert.throws(() => registry.resolve(name, cfg)!.buildRequest(chat(), target(name, cfg)), /requires network_config.base_url/);
  }
  for (const base of ['http://127.0.0.1:11434', 'http://127.0.0.1:11434/', 'http://127.0.0.1:11434/v1']) {
    const cfg = config(base);
    const req = registry.resolve('ollama', cfg)!.buildRequest(chat(), target('ollama', cfg, ''));
    assert.equal(req.origin, 'http://127.0.0.1:11434');
    assert.equal(req.path, '/v1/chat/completions', base);
    assert.equal(req.headers.authorization, undefined, 'empty key sends no Authorization');
  }
});

test('body: bare model, no fallbacks, everything else kept; stream asks for usage; extra headers', () => {
  const registry = createProviderRegistry();
  const cfg = config(undefined, {});
  cfg.network_config.extra_headers = { 'X-Org': 'acme' };
  const adapter = registry.resolve('openai', cfg)!;
  const req = adapter.buildRequest(chat(true), target('openai', cfg));
  const body = JSON.parse(req.body!);
  assert.deepEqual(body, { model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } });
  assert.equal(req.headers.authorization, 'Bearer sk-x');
  assert.equal(req.headers['x-org'], 'acme');
  assert.equal(req.headers.accept, 'text/event-stream');
});

test('body: the caller\'s text goes upstream as sent, with model, fallbacks and stream_options rewritten', () => {
  const cfg = config();
  const adapter = createProviderRegistry().resolve('openai', cfg)!;
  const text = '{"model":"openai/m","seed":12345678901234567890,"temperature":1.0,'
    + '"messages":[{"role":"user","content":"caf\\u00e9"}],"fallbacks":["groq/x"],"stream":true,"stream_options":{"include_obfuscation":false}}';
  const req = { ...chat(true), body: JSON.parse(text) as InferenceRequest['body'], bodyText: text };
  const sent = adapter.buildRequest(req, target('openai', cfg)).body!;
  // JSON.stringify of the parsed body would print 12345678901234567000, 1 and "café".
  assert.match(sent, /"seed":12345678901234567890,"temperature":1\.0,/);
  assert.match(sent, /"content":"caf\\u00e9"/);
  const expected = JSON.parse(text) as Record<string, unknown>;
  delete expected.fallbacks;
  Object.assign(expected, { model: 'm', stream_options: { include_obfuscation: false, include_usage: true } });
  assert.deepEqual(JSON.parse(sent), expected);
});

test('body: serialized from the parsed object when there is no text or a top-level key is escaped', () => {
  const cfg = config();
  const adapter = createProviderRegistry().resolve('openai', cfg)!;
  const text = '{"mod\\u0065l":"openai/m","messages":[{"role":"user","content":"hi"}],"temperature":1.0}';
  const body = JSON.parse(text) as InferenceRequest['body'];
  for (const req of [{ ...chat(), body }, { ...chat(), body, bodyText: text }]) {
    const sent = adapter.buildRequest(req, target('openai', cfg)).body!;
    assert.equal(sent, '{"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":1}');
  }
});

test('custom provider with base_provider_type openai; unknown dialect resolves to nothing', () => {
  const registry = createProviderRegistry();
  const custom = config('https://llm.example.com', { custom_provider_config: { base_provider_type: 'openai' } });
  const req = registry.resolve('acme', custom)!.buildRequest(chat(), target('acme', custom));
  assert.equal(`${req.origin}${req.path}`, 'https://llm.example.com/v1/chat/completions');
  assert.equal(registry.resolve('acme', config('https://x', { custom_provider_config: { base_provider_type: 'cohere-ish' } })), undefined);
  assert.equal(registry.resolve('not-a-provider', config()), undefined);
});

test('stream mapper: passes data through, reads usage, ends on [DONE], surfaces in-stream errors', () => {
  const adapter = createProviderRegistry().resolve('openai', config())!;
  const mapper = adapter.streamMapper('chat_completion');
  const data = '{"id":"1","choices":[{"delta":{"content":"x"}}]}';
  assert.deepEqual(mapper.map({ event: undefined, data, id: undefined }), [{ event: undefined, data }]);
  const usage = mapper.map({ event: undefined, data: '{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7,"prompt_tokens_details":{"cached_tokens":2}}}', id: undefined });
  assert.deepEqual((usage as Array<{ usage: unknown }>)[0]!.usage, { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7, cached_prompt_tokens: 2 });
  assert.equal(mapper.map({ event: undefined, data: '[DONE]', id: undefined }), 'done');
  const err = mapper.map({ event: undefined, data: '{"error":{"message":"boom","type":"server_error"}}', id: undefined });
  assert.deepEqual((err as Array<{ error: unknown }>)[0]!.error, { message: 'boom', type: 'server_error', code: undefined, param: undefined });
  const responses = createProviderRegistry().resolve('openai', config())!.streamMapper('responses');
  const done = responses.map({ event: 'response.completed', data: '{"type":"response.completed","response":{"usage":{"input_tokens":5,"output_tokens":6,"total_tokens":11}}}', id: undefined });
  assert.deepEqual((done as Array<{ usage: unknown }>)[0]!.usage, { prompt_tokens: 5, completion_tokens: 6, total_tokens: 11 });
});

test('parseError handles OpenAI error bodies, bare strings and non-JSON', () => {
  const adapter = createProviderRegistry().resolve('openai', config())!;
  assert.deepEqual(adapter.parseError(429, '{"error":{"message":"slow down","type":"rate_limit_exceeded","code":"rate_limit"}}'),
    { message: 'slow down', type: 'rate_limit_exceeded', code: 'rate_limit', param: undefined });
  assert.equal(adapter.parseError(500, '{"error":"plain"}').message, 'plain');
  assert.equal(adapter.parseError(502, '<html>bad gateway</html>').message, '<html>bad gateway</html>');
  assert.equal(adapter.parseError(503, '').message, 'upstream returned status 503');
});

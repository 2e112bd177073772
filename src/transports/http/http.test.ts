import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError, isGatewayError } from '../../core/index.js';
import { bifrostErrorBody, formatEvent, isOriginAllowed, parseInferenceRequest, splitModel, toGatewayError } from './index.js';

function rejects400(fn: () => unknown, pattern: RegExp, param?: string): void {
  try {
    fn();
  } catch (error) {
    assert.ok(isGatewayError(error), String(error));
    assert.equal(error.status, 400);
    assert.match(error.message, pattern);
    if (param) assert.equal(error.param, param);
    return;
  }
  assert.fail('expected a 400');
}

test('model is split at the first slash only; a bare model is rejected with Bifrost\'s message', () => {
  assert.deepEqual(splitModel('openrouter/meta/llama-3'), { provider: 'openrouter', model: 'meta/llama-3' });
  rejects400(() => splitModel('gpt-4o'), /model should be in provider\/model format/, 'model');
  rejects400(() => splitModel('/gpt'), /provider\/model format/);
  rejects400(() => splitModel('openai/'), /provider\/model format/);
});

test('inference bodies: fallbacks parsed, wrong field types named', () => {
  const req = parseInferenceRequest({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hi' }], fallbacks: ['groq/llama'], stream: true }, 'chat_completion');
  assert.deepEqual(req.fallbacks, [{ provider: 'groq', model: 'llama' }]);
  assert.equal(req.stream, true);
  rejects400(() => parseInferenceRequest({ model: 'openai/x', messages: 'hi' }, 'chat_completion'), /messages: expected array, got string/, 'messages');
  rejects400(() => parseInferenceRequest({ model: 'openai/x', messages: [], stream: 'yes' }, 'chat_completion'), /stream: expected boolean, got string/, 'stream');
  rejects400(() => parseInferenceRequest({ model: 'openai/x', messages: [{}], fallbacks: 'groq/y' }, 'chat_completion'), /fallbacks: expected array/);
  rejects400(() => parseInferenceRequest({ model: 'openai/x', messages: [{}], fallbacks: [3] }, 'chat_completion'), /fallbacks\[0\]: expected string, got number/);
  rejects400(() => parseInferenceRequest({ model: 42, messages: [{}] }, 'chat_completion'), /model: expected string, got number/);
  rejects400(() => parseInferenceRequest({ messages: [{}] }, 'chat_completion'), /model is required/);
  rejects400(() => parseInferenceRequest([1], 'chat_completion'), /expected a JSON object, got array/);
  rejects400(() => parseInferenceRequest({ model: 'openai/e', input: 5 }, 'embedding'), /input: expected string or array, got number/);
  assert.equal(parseInferenceRequest({ model: 'openai/e', input: 'x', stream: true }, 'embedding').stream, false);
});

test('Bifrost error JSON carries is_bifrost_error, status_code, error and extra_fields', () => {
  const upstream = new GatewayError('rate limited', { status: 429, type: 'rate_limit_exceeded', code: 'rl', isBifrostError: false, provider: 'openai' });
  assert.deepEqual(bifrostErrorBody(upstream, { model: 'openai/gpt-4o', requestType: 'chat_completion' }), {
    is_bifrost_error: false, status_code: 429, error: { type: 'rate_limit_exceeded', code: 'rl', message: 'rate limited' },
    extra_fields: { provider: 'openai', model_requested: 'openai/gpt-4o', request_type: 'chat_completion' },
  });
  const internal = toGatewayError(new Error('secret stack detail'));
  assert.equal(internal.status, 500);
  assert.ok(!JSON.stringify(bifrostErrorBody(internal)).includes('secret'), 'internal detail never reaches the body');
});

test('SSE framing: data lines, event lines for the Responses API', () => {
  assert.equal(formatEvent({ data: '{"a":1}', chunk: { a: 1 } }), 'data: {"a":1}\n\n');
  assert.equal(formatEvent({ event: 'response.created', data: '{}', chunk: {} }), 'event: response.created\ndata: {}\n\n');
});

test('CORS: localhost always allowed, * allows all, others must be listed', () => {
  assert.ok(isOriginAllowed('http://localhost:3000', []));
  assert.ok(isOriginAllowed('http://127.0.0.1', []));
  assert.ok(!isOriginAllowed('https://evil.example', []));
  assert.ok(isOriginAllowed('https://app.example', ['https://app.example']));
  assert.ok(isOriginAllowed('https://any.example', ['*']));
});

test('malformed JSON is located precisely (position, line, column, what was wrong)', async () => {
  const { locateJsonError } = await import('./json-error.js');
  assert.equal(locateJsonError('{"a": [1, 2]}'), undefined);
  assert.deepEqual(locateJsonError('{"model": "x", "messages": [}'), { position: 28, line: 1, column: 29, problem: 'unexpected "}"' });
  assert.equal(locateJsonError('{"a": 1,\n "b" 2}')?.problem, "expected ':' after property name");
  assert.equal(locateJsonError('{"a": 1,\n "b" 2}')?.line, 2);
  assert.equal(locateJsonError('{"a": tru}')?.position, 6);
  assert.equal(locateJsonError('{"a": "x')?.problem, 'unterminated string');
  assert.equal(locateJsonError('{} x')?.problem, 'unexpected data after the JSON value');
  assert.equal(locateJsonError("{'a': 1}")?.problem, 'expected a property name in double quotes');
  assert.equal(locateJsonError('[1,]')?.position, 3);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffMs, classifyFailure, isRateLimitMessage } from './policy.js';

const fixed = (v: number) => ({ next: () => v });

test('backoff doubles from initial, is capped at max, jitter spans [0.8, 1.2]', () => {
  const opts = { initial: 500, max: 5000 };
  assert.equal(backoffMs(0, opts, fixed(0.5)), 500);
  assert.equal(backoffMs(1, opts, fixed(0.5)), 1000);
  assert.equal(backoffMs(3, opts, fixed(0.5)), 4000);
  assert.equal(backoffMs(4, opts, fixed(0.5)), 5000);
  assert.equal(backoffMs(40, opts, fixed(0.5)), 5000);
  assert.equal(backoffMs(0, opts, fixed(0)), 400);
  assert.ok(Math.abs(backoffMs(2, opts, fixed(0.999999)) - 2400) < 0.01);
});

test('classification: retryable statuses, key rotation, final errors', () => {
  for (const s of [500, 502, 503, 504, 'network_error', 'timeout'] as const) assert.deepEqual(classifyFailure(s, ''), { kind: 'retry', rotate: false }, String(s));
  assert.deepEqual(classifyFailure(429, ''), { kind: 'retry', rotate: true });
  for (const s of [401, 402, 403]) assert.deepEqual(classifyFailure(s, ''), { kind: 'key-dead' });
  for (const s of [400, 404, 422]) assert.deepEqual(classifyFailure(s, 'bad field'), { kind: 'final' });
  assert.deepEqual(classifyFailure(400, 'Rate limit reached for gpt-4o'), { kind: 'retry', rotate: true });
});

test('rate-limit message patterns', () => {
  for (const m of ['Rate limit exceeded', 'Too Many Requests', 'quota exceeded for project', 'Request was throttled',
    'limit of 60 requests per minute', 'TPM exceeded', 'RESOURCE_EXHAUSTED']) assert.ok(isRateLimitMessage(m), m);
  for (const m of ['invalid model', 'context length exceeded']) assert.ok(!isRateLimitMessage(m), m);
});

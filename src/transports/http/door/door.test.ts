import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import fc from 'fast-check';
import { headerValue, MAX_HEADER_VALUE } from './header-value.js';
import { isTargetProblem, isUnder, normalizeTarget } from './request-target.js';

function pathOf(url: string): string {
  const target = normalizeTarget(url);
  assert.ok(!isTargetProblem(target), `refused: ${url}`);
  return target.path;
}

test('percent-encoding, // runs and dot segments normalize to the path the router sees', () => {
  assert.equal(pathOf('/%61pi/providers'), '/api/providers');
  assert.equal(pathOf('/%6detrics'), '/metrics');
  assert.equal(pathOf('//api//providers'), '/api/providers');
  assert.equal(pathOf('/v1/../api/./providers'), '/api/providers');
  assert.equal(pathOf('/../../api'), '/api');
  assert.equal(pathOf('/api%2Fproviders'), '/api/providers');
  assert.equal(pathOf('/api/providers/'), '/api/providers/');
  assert.equal(pathOf('/a/..'), '/');
  const target = normalizeTarget('/%61pi/logs?offset=%31');
  assert.ok(!isTargetProblem(target));
  assert.equal(target.url, '/api/logs?offset=%31', 'the query is passed on as sent');
});

test('an already normal target is passed through untouched', () => {
  const url = '/v1/chat/completions?x=1';
  const target = normalizeTarget(url);
  assert.ok(!isTargetProblem(target));
  assert.equal(target.url, url);
  assert.equal(target.path, '/v1/chat/completions');
});

test('malformed encodings, control characters and non-path targets are refused', () => {
  for (const url of ['/%E0%A4%A', '/%zz', '/a%00b', '/a%0Ab', 'http://evil/api/providers', '*', '/a b', '/\u00e9']) {
    assert.ok(isTargetProblem(normalizeTarget(url)), url);
  }
});

test('re-encoded url decodes back to the normalized path for every input', () => {
  fc.assert(fc.property(fc.array(fc.oneof(fc.string(), fc.constantFrom('..', '.', '', '%2F', '%25')), { maxLength: 6 }), (segments) => {
    const raw = `/${segments.map((s) => s === '%2F' || s === '%25' ? s : encodeURIComponent(s)).join('/')}`;
    const target = normalizeTarget(raw);
    if (isTargetProblem(target)) return;
    assert.equal(decodeURIComponent(target.url), target.path);
    assert.ok(!target.path.includes('//'));
    assert.ok(!target.path.split('/').includes('..'));
  }), { numRuns: 2000 });
});

test('isUnder matches a prefix and what lies below it, whatever the case', () => {
  assert.ok(isUnder('/API/providers', '/api'));
  assert.ok(isUnder('/api', '/api'));
  assert.ok(!isUnder('/apix', '/api'));
});

test('header values from input are always valid header values', () => {
  assert.equal(headerValue('openai'), 'openai');
  assert.equal(headerValue('模/x'), '%E6%A8%A1/x');
  assert.equal(headerValue('a\nb'), 'a%0Ab');
  assert.equal(headerValue('\ud800'), '%EF%BF%BD');
  assert.equal(headerValue('x'.repeat(5000)).length, MAX_HEADER_VALUE);
  fc.assert(fc.property(fc.string({ unit: 'binary' }), (value) => {
    assert.match(headerValue(value), /^[\x20-\x7e]*$/);
  }), { numRuns: 2000 });
});

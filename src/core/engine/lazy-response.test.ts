import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { lazyResponse } from './lazy-response.js';

const servedBy = { provider: 'openai', model: 'm', requestedModel: 'openai/m', fallbackIndex: 0, keyName: 'k', attempts: 1, upstreamLatencyMs: 1 };
const raw = '{"id":"a","choices":[{"message":{"content":"hi"}}]}';

for (const spreadable of [false, true]) {
const shape = spreadable ? 'with plugin hooks' : 'without plugin hooks';
test(`${shape}: raw is forwarded until the body is read; reading parses it once`, () => {
  const response = lazyResponse(raw, undefined, servedBy, spreadable);
  assert.equal(response.raw, raw);
  const body = response.body;
  assert.deepEqual(body, JSON.parse(raw));
  assert.equal(response.body, body, 'parsed once');
  assert.equal(response.raw, undefined, 'a reader may have edited the object');
});

test(`${shape}: a plugin editing or replacing the body is what gets serialized`, () => {
  const edited = lazyResponse(raw, undefined, servedBy, spreadable);
  (edited.body.choices as Array<{ message: { content: string } }>)[0]!.message.content = 'redacted';
  assert.equal(edited.raw, undefined);
  assert.match(JSON.stringify(edited.body), /redacted/);
  const replaced = lazyResponse(raw, undefined, servedBy, spreadable);
  replaced.body = { id: 'b' };
  assert.equal(replaced.raw, undefined);
  assert.deepEqual(replaced.body, { id: 'b' });
  const copy = { ...lazyResponse(raw, undefined, servedBy, spreadable), body: { id: 'c' } };
  assert.equal(copy.raw, undefined, 'a spread copy with a new body never carries the old raw text');
  assert.deepEqual(copy.body, { id: 'c' });
});
}

test('with plugin hooks a spread copy carries the parsed body, not raw', () => {
  const copy = { ...lazyResponse(raw, undefined, servedBy, true) };
  assert.equal(copy.raw, undefined, 'a spread copy carries the parsed body, not raw');
  assert.deepEqual(copy.body, JSON.parse(raw));
});

// Shape, not time: when every response had accessors of its own closures, each one got a hidden
// class of its own and the code reading responses went megamorphic (governance lost ~20 % of its
// throughput). V8's own predicate says whether two responses share a hidden class.
test('responses seen by plugin hooks share one hidden class and keep fast properties', () => {
  const probe = `
    const { lazyResponse } = await import(${JSON.stringify(new URL('./lazy-response.ts', import.meta.url).href)});
    const a = lazyResponse('{"id":"a"}', undefined, {}, true);
    const b = lazyResponse('{"id":"b"}', { total_tokens: 1 }, {}, true);
    console.log(JSON.stringify({ fast: %HasFastProperties(a), same: %HaveSameMap(a, b) }));`;
  const out = execFileSync(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', '--input-type=module', '-e', probe], { encoding: 'utf8' });
  assert.deepEqual(JSON.parse(out), { fast: true, same: true });
});

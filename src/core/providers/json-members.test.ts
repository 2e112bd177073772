import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanMembers } from './json-members.js';

const slice = (text: string, span: readonly [number, number] | undefined): unknown => (span ? JSON.parse(text.slice(span[0], span[1])) : undefined);

test('finds top-level members only, skipping strings with braces, quotes and escapes', () => {
  const text = ' {"a":{"usage":{"x":1}},"s":"}\\"usage\\":{","usage" : {"prompt_tokens":3,"n":[1,{"b":2}]} ,"z":null}\n';
  const scan = scanMembers(text, ['usage', 'extra_fields']);
  assert.ok(scan);
  assert.deepEqual(slice(text, scan.values.usage), { prompt_tokens: 3, n: [1, { b: 2 }] });
  assert.equal(scan.values.extra_fields, undefined);
  assert.equal(text[scan.close], '}');
  assert.equal(text.slice(scan.close + 1).trim(), '');
  assert.equal(scan.empty, false);
});

test('last member and empty objects', () => {
  const text = '{"id":"x","usage":{"total_tokens":5}}';
  assert.deepEqual(slice(text, scanMembers(text, ['usage'])?.values.usage), { total_tokens: 5 });
  assert.equal(scanMembers('{ }', ['usage'])?.empty, true);
  assert.equal(scanMembers('{"extra_fields":1}', ['extra_fields'])?.values.extra_fields?.[0], 16);
});

test('anything that is not one well-formed object is refused', () => {
  for (const bad of ['', '[1]', '"x"', '{"a":1', '{"a":"1}', '{"a":1}}', '{"a":1} x', '{"a":[1}', 'null', '{a:1}', '{"a":1,}', '{,}']) {
    assert.equal(scanMembers(bad, ['usage']), undefined, bad);
  }
});

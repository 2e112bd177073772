import { test } from 'node:test';
import assert from 'node:assert/strict';
import { firstElement, rewriteMembers, scanMembers } from './json-members.js';

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

test('rewriteMembers replaces, drops and adds top-level members, wherever they sit', () => {
  const usage = '{"include_usage":true}';
  const cases: Array<[string, Record<string, string | null>, unknown]> = [
    ['{"model":"a/b","x":1}', { model: '"b"' }, { model: 'b', x: 1 }],
    ['{"fallbacks":["x"],"model":"a"}', { fallbacks: null }, { model: 'a' }],
    ['{"model":"a", "fallbacks" : ["x"] ,"y":2}', { fallbacks: null }, { model: 'a', y: 2 }],
    ['{"model":"a","fallbacks":["x"]}', { fallbacks: null }, { model: 'a' }],
    ['{"fallbacks":[]}', { fallbacks: null, stream_options: usage }, { stream_options: { include_usage: true } }],
    ['{ }', { model: '"m"' }, { model: 'm' }],
    ['{"fallbacks":1,"stream_options":{"a":1},"model":"z"}', { fallbacks: null, stream_options: null }, { model: 'z' }],
    ['{"model":"a","stream_options":{"a":1}}', { stream_options: '{"a":1,"include_usage":true}' }, { model: 'a', stream_options: { a: 1, include_usage: true } }],
  ];
  for (const [text, changes, expected] of cases) {
    const scan = scanMembers(text, Object.keys(changes))!;
    assert.deepEqual(JSON.parse(rewriteMembers(text, scan, changes)), expected, text);
  }
});

test('rewriteMembers keeps untouched members as written and changes every copy of a repeated key', () => {
  const text = '{"model":"openai/a","seed":12345678901234567890,"t":1.0,"s":"caf\\u00e9 {\\"model\\":1}","model":"openai/b"}';
  const out = rewriteMembers(text, scanMembers(text, ['model'])!, { model: '"b"' });
  assert.equal(out, '{"model":"b","seed":12345678901234567890,"t":1.0,"s":"caf\\u00e9 {\\"model\\":1}","model":"b"}');
});

test('a top-level key with an escape is flagged, since JSON.parse may read it as a wanted key', () => {
  assert.equal(scanMembers('{"mod\\u0065l":"x"}', ['model'])?.escapedKey, true);
  assert.equal(scanMembers('{"a\\"b":1}', ['model'])?.escapedKey, true);
  assert.equal(scanMembers('{"model":"x\\\\","a":{"k\\u0065y":1}}', ['model'])?.escapedKey, false);
});

test('firstElement: the first element of an array, whatever its kind', () => {
  const first = (text: string): string | undefined => {
    const span = firstElement(text, text.indexOf('['));
    return span && text.slice(span[0], span[1]);
  };
  assert.equal(first('[ {"a":[1,"]"],"b":{}} , 2]'), '{"a":[1,"]"],"b":{}}');
  assert.equal(first('[["x"],1]'), '["x"]');
  assert.equal(first('["a\\"]", 1]'), '"a\\"]"');
  assert.equal(first('[ 12.5e3 ]'), '12.5e3');
  assert.equal(first('[null,1]'), 'null');
  for (const none of ['[]', '[ ]', '[,1]', '[{"a":1', '["x', '[1}']) assert.equal(first(none), undefined, none);
  // From a member's span: whitespace before the array is skipped, and a value that is no array has no element.
  const text = '{"choices": \n [7], "n": {"a":[1]}}';
  assert.deepEqual(firstElement(text, text.indexOf(':') + 1), [text.indexOf('7'), text.indexOf('7') + 1]);
  assert.equal(firstElement(text, text.lastIndexOf('{') - 1), undefined);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chunkExtraPrefix, spliceChunkExtraFields, spliceResponseExtraFields } from './extra-fields.js';

const prefix = chunkExtraPrefix({ requestType: 'chat_completion', provider: 'openai', model: 'gpt-"4o"' });

test('splices extra_fields as the last member without re-serializing the chunk', () => {
  const out = spliceChunkExtraFields('{"id":"a","choices":[{"delta":{"content":"}"}}]}', prefix, 3, 12.6);
  assert.deepEqual(JSON.parse(out), {
    id: 'a', choices: [{ delta: { content: '}' } }],
    extra_fields: { request_type: 'chat_completion', provider: 'openai', model_requested: 'gpt-"4o"', chunk_index: 3, latency: 13 },
  });
});

test('empty objects, trailing whitespace and non-objects', () => {
  assert.deepEqual(JSON.parse(spliceChunkExtraFields('{ }', prefix, 0, 0)).extra_fields.chunk_index, 0);
  assert.equal(JSON.parse(spliceChunkExtraFields('{"a":1}\n ', prefix, 1, 1)).a, 1);
  assert.equal(spliceChunkExtraFields('[1,2]', prefix, 0, 0), '[1,2]');
});

test('response extra_fields spliced into the upstream text equal the re-serialized object', () => {
  const base = { requestType: 'chat_completion' as const, provider: 'openai', model: 'gpt-4o' };
  const text = '{"id":"x","usage":{"total_tokens":1}}\n';
  const out = spliceResponseExtraFields({ text, close: text.lastIndexOf('}'), empty: false }, base, 7.4);
  const expected = { ...JSON.parse(text), extra_fields: { request_type: 'chat_completion', provider: 'openai', model_requested: 'gpt-4o', latency: 7 } };
  assert.equal(out, JSON.stringify(expected));
  assert.deepEqual(JSON.parse(spliceResponseExtraFields({ text: '{ }', close: 2, empty: true }, base, 0)), { extra_fields: { ...expected.extra_fields, latency: 0 } });
});

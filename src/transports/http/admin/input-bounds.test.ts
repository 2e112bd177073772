// The generic size bounds of admin bodies (issue #20, item 7): each string, list, object, the
// nesting depth and the total text are capped, and the first excess is reported with its path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { bounded, DEFAULT_BOUNDS, jsonBoundsIssue, maxLengths } from './input-bounds.js';

test('jsonBoundsIssue reports the first excess with its path and the limit', () => {
  assert.equal(jsonBoundsIssue({ a: ['x', { b: 1, c: null, d: true }] }), undefined);
  assert.deepEqual(jsonBoundsIssue({ a: [1, 's'.repeat(DEFAULT_BOUNDS.maxString + 1)] }), { path: ['a', 1], message: 'must be at most 65536 characters' });
  assert.deepEqual(jsonBoundsIssue({ list: Array.from({ length: 1001 }, () => 0) }), { path: ['list'], message: 'must have at most 1000 items' });
  assert.deepEqual(jsonBoundsIssue({ o: Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`k${i}`, 0])) })?.message, 'must have at most 1000 fields');
  assert.match(jsonBoundsIssue({ ['k'.repeat(256)]: 1 })?.message ?? '', /field names must be at most 255/);
  let deep: unknown = 'leaf';
  for (let i = 0; i < 100_000; i++) deep = [deep];
  assert.match(jsonBoundsIssue({ deep })?.message ?? '', /nested deeper than 32 levels/, 'no stack overflow on deep input');
  const total = jsonBoundsIssue({ many: Array.from({ length: 20 }, () => 'x'.repeat(60_000)) });
  assert.match(total?.message ?? '', /more than 1048576 characters of text in total/);
  assert.deepEqual(total?.path, ['many', 17]);
});

test('bounded() checks after the schema, so a tighter named limit is reported first', () => {
  const schema = bounded(z.looseObject({ name: z.string() }).superRefine(maxLengths({ name: 255 })));
  assert.ok(schema.safeParse({ name: 'ok', extra: { nested: ['fine'] } }).success);
  const named = schema.safeParse({ name: 'n'.repeat(100_000) });
  assert.equal(named.error?.issues[0]?.message, 'must be at most 255 characters');
  assert.deepEqual(named.error?.issues[0]?.path, ['name']);
  const extra = schema.safeParse({ name: 'ok', extra: { blob: 'b'.repeat(70_000) } });
  assert.deepEqual(extra.error?.issues[0]?.path, ['extra', 'blob']);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom, type Random } from '../ports.js';
import type { ProviderKey } from '../runtime-config.js';
import { countCandidates, selectKey } from './select-key.js';

const seeded = (seed: number): Random => seededRandom(seed);

const key = (name: string, weight: number, extra: Partial<ProviderKey> = {}): ProviderKey =>
  ({ id: name, name, value: `sk-${name}`, models: [], weight, enabled: true, ...extra });

test('weights drive the distribution over 1,000 picks', () => {
  const keys = [key('a', 0.7), key('b', 0.2), key('c', 0.1)];
  const random = seeded(42);
  const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
  for (let i = 0; i < 1000; i++) counts[selectKey(keys, 'gpt-4o', random)!.name]! += 1;
  assert.ok(Math.abs(counts.a! - 700) <= 50, `a=${counts.a}`);
  assert.ok(Math.abs(counts.b! - 200) <= 40, `b=${counts.b}`);
  assert.ok(Math.abs(counts.c! - 100) <= 30, `c=${counts.c}`);
});

test('model allow-lists: empty and "*" allow all, others only listed models', () => {
  const keys = [key('any', 1), key('star', 1, { models: ['*'] }), key('mini', 1, { models: ['gpt-4o-mini'] })];
  assert.equal(countCandidates(keys, 'gpt-4o'), 2);
  assert.equal(countCandidates(keys, 'gpt-4o-mini'), 3);
  const random = seeded(1);
  for (let i = 0; i < 200; i++) assert.notEqual(selectKey(keys, 'gpt-4o', random)!.name, 'mini');
});

test('disabled keys and excluded keys are never picked', () => {
  const keys = [key('off', 100, { enabled: false }), key('dead', 100), key('ok', 1)];
  const random = seeded(7);
  for (let i = 0; i < 200; i++) assert.equal(selectKey(keys, 'm', random, new Set(['dead']))!.name, 'ok');
  assert.equal(selectKey(keys, 'm', random, new Set(['dead', 'ok'])), undefined);
});

test('single candidate is returned without consulting Random; zero weights pick uniformly', () => {
  const never: Random = { next: () => { throw new Error('must not be called'); } };
  assert.equal(selectKey([key('only', 1)], 'm', never)!.name, 'only');
  const random = seeded(3);
  const seen = new Set<string>();
  for (let i = 0; i < 100; i++) seen.add(selectKey([key('x', 0), key('y', 0)], 'm', random)!.name);
  assert.deepEqual([...seen].sort(), ['x', 'y']);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { remainingSuspicionTime, Suspicion, suspicionTimeout } from './suspicion.js';
import { FakeClock } from '../testing/fake-clock.js';

test('suspicionTimeout follows SuspicionMult × max(1, log10 n) × interval', () => {
  assert.equal(suspicionTimeout(4, 3, 1000), 4000);
  assert.equal(suspicionTimeout(4, 5, 1000), 4000);
  assert.equal(suspicionTimeout(4, 100, 1000), 8000);
  assert.equal(suspicionTimeout(4, 1000, 1000), 12000);
  assert.equal(suspicionTimeout(3, 50, 200), 1018.8);
});

test('remainingSuspicionTime shrinks logarithmically with confirmations (Go table)', () => {
  const opts = (elapsedMs: number) => ({ elapsedMs, minMs: 2000, maxMs: 30000 });
  assert.equal(remainingSuspicionTime(0, 3, opts(0)), 30000);
  assert.equal(remainingSuspicionTime(1, 3, opts(2000)), 14000);
  assert.equal(remainingSuspicionTime(2, 3, opts(3000)), 4810);
  assert.equal(remainingSuspicionTime(3, 3, opts(4000)), -2000);
  assert.equal(remainingSuspicionTime(4, 3, opts(5000)), -3000);
  assert.equal(remainingSuspicionTime(5, 3, opts(10000)), -8000);
  // LAN n=5: k=2, min 4 s, max 24 s → ≈ 11.38 s after one confirmation
  assert.equal(remainingSuspicionTime(1, 2, { elapsedMs: 0, minMs: 4000, maxMs: 24000 }), 11381);
});

test('Suspicion fires at max, earlier after confirmations, and ignores repeats', async () => {
  const clock = new FakeClock();
  let fired = -1;
  const s = new Suspicion(clock, 'a', { k: 2, minMs: 4000, maxMs: 24000, onTimeout: (c) => { fired = c; } });
  assert.equal(s.confirm('a'), false, 'the accuser is not a confirmation');
  assert.equal(s.confirm('b'), true);
  assert.equal(s.confirm('b'), false);
  await clock.advance(11380);
  assert.equal(fired, -1);
  await clock.advance(1);
  assert.equal(fired, 1);
});

test('Suspicion with k=0 fires at min', async () => {
  const clock = new FakeClock();
  let fired = false;
  new Suspicion(clock, 'a', { k: 0, minMs: 4000, maxMs: 24000, onTimeout: () => { fired = true; } });
  await clock.advance(3999);
  assert.equal(fired, false);
  await clock.advance(1);
  assert.equal(fired, true);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goDurationMs } from './go-duration.js';

test('Go duration text in milliseconds; anything else is undefined', () => {
  assert.equal(goDurationMs('250ms'), 250);
  assert.equal(goDurationMs(' 1.5s '), 1500);
  assert.equal(goDurationMs('1h30m'), 5_400_000);
  assert.equal(goDurationMs('500us'), 0.5);
  assert.equal(goDurationMs('2000000ns'), 2);
  for (const bad of ['', '5', 'ms', '5d', '1h 30m', '-1s', '1sx']) assert.equal(goDurationMs(bad), undefined, bad);
});

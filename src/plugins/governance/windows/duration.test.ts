// The range of reset durations (issue #20, item 6): 1s up to Go's time.Duration maximum, the
// longest Bifrost accepts; beyond it a window's end is no representable date. Values read back
// from a store are never thrown on: a bad one becomes the longest window plus a problem to report.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_DURATION_MS, parseDuration, readStoredDuration } from './duration.js';
import { makeWindow } from './window.js';

const error = (text: string, allowQuarter = true) => {
  const parsed = parseDuration(text, { allowQuarter });
  return 'error' in parsed ? parsed.error : undefined;
};

test('durations: every format Bifrost uses stays accepted, up to 2562047h (about 292 years)', () => {
  for (const ok of ['1s', '1m', '1h', '1d', '1w', '1M', '1Q', '1Y', '1h30m', '0.5m', '1000000000ns', '52w', '10Y', '292Y', '2562047h']) {
    assert.equal(error(ok), undefined, ok);
  }
  const longest = parseDuration('2562047h');
  assert.ok(!('error' in longest) && longest.ms <= MAX_DURATION_MS);
});

test('durations: too long, unbounded counts and oversized texts are refused with the limit', () => {
  assert.match(error('99999999999999h') ?? '', /too long: at most 2562047h/);
  assert.match(error('2562048h') ?? '', /too long/);
  assert.match(error('293Y') ?? '', /too long/);
  assert.match(error(`${'9'.repeat(400)}s`) ?? '', /at most 64 characters/);
  assert.match(error(`${'9'.repeat(60)}s`) ?? '', /too long/, 'a count that overflows to Infinity');
  assert.match(error('999ms') ?? '', /at least 1s/);
});

test('stored durations: a bad one becomes the longest window and a problem, never an exception', () => {
  const good = readStoredDuration('1h');
  assert.equal(good.problem, undefined);
  assert.equal(good.duration.ms, 3_600_000);
  for (const bad of ['99999999999999h', 'every tuesday', '', 42, null, 'x'.repeat(10_000)]) {
    const read = readStoredDuration(bad);
    assert.ok(read.problem, String(bad).slice(0, 20));
    assert.equal(read.duration.ms, MAX_DURATION_MS);
    assert.ok(read.duration.text.length <= 64);
    const window = makeWindow(read.duration);
    const start = window.roll(undefined, Date.UTC(2026, 0, 1));
    assert.equal(window.roll(start, Date.UTC(2100, 0, 1)), start, 'in practice never resets');
    assert.ok(Number.isFinite(new Date(window.nextReset(start)).getTime()), 'its end is a representable date');
  }
});

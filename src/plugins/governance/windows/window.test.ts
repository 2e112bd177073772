// Window arithmetic with an injected clock: rolling windows restart from the last reset,
// calendar-aligned budgets snap to UTC day/week/month/quarter/year boundaries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration, mustParseDuration } from './duration.js';
import { calendarStart, makeWindow } from './window.js';
import { InMemoryUsageCounters } from '../../../core/index.js';

const H = 3_600_000;
const D = 24 * H;

test('durations: Go units plus d, w, M (30 d), Q (90 d), Y (365 d)', () => {
  const ms = (t: string) => mustParseDuration(t, { allowQuarter: true }).ms;
  assert.equal(ms('30s'), 30_000);
  assert.equal(ms('5m'), 300_000);
  assert.equal(ms('1h'), H);
  assert.equal(ms('1h30m'), 1.5 * H);
  assert.equal(ms('1d'), D);
  assert.equal(ms('1w'), 7 * D);
  assert.equal(ms('1M'), 30 * D);
  assert.equal(ms('1Q'), 90 * D);
  assert.equal(ms('1Y'), 365 * D);
  assert.deepEqual(mustParseDuration('1M').calendar, { unit: 'M', count: 1 });
  assert.equal(mustParseDuration('1h').calendar, undefined);
});

test('durations: bad input and Q outside budgets are rejected with a reason', () => {
  assert.ok('error' in parseDuration('1Q'));
  assert.match((parseDuration('1Q') as { error: string }).error, /only valid for budgets/);
  assert.ok('error' in parseDuration('ten minutes'));
  assert.ok('error' in parseDuration(''));
  assert.ok('error' in parseDuration('5x'));
  assert.ok('error' in parseDuration('100ms'));
});

test('rolling window: restarts at now once duration has elapsed since the last reset', () => {
  const w = makeWindow(mustParseDuration('1h'));
  const t0 = Date.UTC(2026, 0, 1, 10, 17);
  assert.equal(w.roll(undefined, t0), t0);
  assert.equal(w.roll(t0, t0 + H - 1), t0);
  // not aligned to the hour: the new window starts at the moment of reset
  assert.equal(w.roll(t0, t0 + H), t0 + H);
  assert.equal(w.roll(t0, t0 + 5 * H + 123), t0 + 5 * H + 123);
  assert.equal(w.nextReset(t0), t0 + H);
});

test('calendar windows: UTC day, Monday week, month, quarter, year', () => {
  const now = Date.UTC(2026, 4, 14, 15, 30); // Thursday 2026-05-14
  assert.equal(calendarStart(now, { unit: 'd', count: 1 }), Date.UTC(2026, 4, 14));
  assert.equal(calendarStart(now, { unit: 'w', count: 1 }), Date.UTC(2026, 4, 11)); // Monday
  assert.equal(new Date(calendarStart(now, { unit: 'w', count: 1 })).getUTCDay(), 1);
  assert.equal(calendarStart(now, { unit: 'M', count: 1 }), Date.UTC(2026, 4, 1));
  assert.equal(calendarStart(now, { unit: 'Q', count: 1 }), Date.UTC(2026, 3, 1));
  assert.equal(calendarStart(now, { unit: 'Q', count: 1 }, 2), Date.UTC(2026, 4, 1)); // Feb-based quarters
  assert.equal(calendarStart(Date.UTC(2026, 0, 10), { unit: 'Q', count: 1 }, 2), Date.UTC(2025, 10, 1));
  assert.equal(calendarStart(now, { unit: 'Y', count: 1 }), Date.UTC(2026, 0, 1));
});

test('calendar-aligned budget window resets on the 1st of the month, not 30 days later', () => {
  const w = makeWindow(mustParseDuration('1M'), { calendarAligned: true });
  const mid = Date.UTC(2026, 0, 20);
  const start = w.roll(undefined, mid);
  assert.equal(start, Date.UTC(2026, 0, 1));
  assert.equal(w.nextReset(start), Date.UTC(2026, 1, 1));
  assert.equal(w.roll(start, Date.UTC(2026, 0, 31, 23, 59)), start);
  assert.equal(w.roll(start, Date.UTC(2026, 1, 1)), Date.UTC(2026, 1, 1));
  // rolling 1M for comparison: 30 days from the first use
  const rolling = makeWindow(mustParseDuration('1M'));
  assert.equal(rolling.roll(mid, Date.UTC(2026, 1, 1)), mid);
});

test('calendar window: the period remembered between calls follows now forwards and backwards', () => {
  for (const text of ['1d', '2w', '1M', '1Q', '1Y']) {
    const duration = mustParseDuration(text, { allowQuarter: true });
    const w = makeWindow(duration, { calendarAligned: true, quarterStartMonth: 2 });
    // Instants on both sides of period boundaries, out of order.
    const times = [Date.UTC(2026, 0, 31, 23, 59), Date.UTC(2026, 1, 1), Date.UTC(2025, 11, 31, 23), Date.UTC(2026, 1, 1) - 1,
      Date.UTC(2026, 2, 2, 12), Date.UTC(2024, 1, 29), Date.UTC(2026, 0, 5), Date.UTC(2026, 0, 4, 23, 59, 59)];
    for (const now of times) {
      assert.equal(w.roll(undefined, now), calendarStart(now, duration.calendar!, 2), `${text} at ${new Date(now).toISOString()}`);
    }
  }
});

test('counters: usage is zeroed when the window rolls, reservations survive the roll', () => {
  const counters = new InMemoryUsageCounters();
  const w = makeWindow(mustParseDuration('1m'));
  let now = 1_000_000;
  counters.add('rl:a:requests', w, 3, now);
  const held = counters.reserve([{ key: 'rl:a:requests', window: w, max: 5, amount: 1 }], now);
  assert.ok(held.ok);
  assert.deepEqual([counters.read('rl:a:requests', w, now).used, counters.read('rl:a:requests', w, now).reserved], [3, 1]);
  const full = counters.reserve([{ key: 'rl:a:requests', window: w, max: 5, amount: 1 }], now);
  assert.ok(full.ok);
  assert.equal(counters.reserve([{ key: 'rl:a:requests', window: w, max: 5, amount: 1 }], now).ok, false);
  now += 60_000;
  assert.equal(counters.read('rl:a:requests', w, now).used, 0);
  assert.equal(counters.read('rl:a:requests', w, now).reserved, 2);
  if (held.ok) counters.settle(held.reservation, { 'rl:a:requests': 1 }, now);
  assert.equal(counters.read('rl:a:requests', w, now).used, 1);
});

test('counters: reserve is all-or-nothing across limits', () => {
  const counters = new InMemoryUsageCounters();
  const w = makeWindow(mustParseDuration('1h'));
  counters.add('b', w, 10, 0);
  const out = counters.reserve([
    { key: 'a', window: w, max: 100, amount: 5 },
    { key: 'b', window: w, max: 10, amount: 5 },
  ], 0);
  assert.equal(out.ok, false);
  assert.equal(counters.read('a', w, 0).reserved, 0);
});

test('counters: drain + load carry usage across a restart within the window only', () => {
  const w = makeWindow(mustParseDuration('1h'));
  const a = new InMemoryUsageCounters();
  a.add('budget:x', w, 2.5, 1000);
  const states = a.drainDirty();
  assert.deepEqual(states, [{ key: 'budget:x', windowStart: 1000, used: 2.5 }]);
  assert.deepEqual(a.drainDirty(), []);
  const b = new InMemoryUsageCounters();
  b.load(states);
  assert.equal(b.read('budget:x', w, 1000 + H - 1).used, 2.5);
  assert.equal(b.read('budget:x', w, 1000 + H).used, 0);
});

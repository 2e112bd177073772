// The background usage flusher: writes only changed cells, retries a failed write, flushes at stop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InMemoryUsageCounters, silentLogger, type CounterState } from '../../core/index.js';
import { UsageFlusher } from './flusher.js';
import { mustParseDuration } from './windows/duration.js';
import { makeWindow } from './windows/window.js';

test('flusher writes dirty cells once, retries after a failed write, and flushes on stop', async () => {
  const counters = new InMemoryUsageCounters();
  const w = makeWindow(mustParseDuration('1h'));
  const writes: CounterState[][] = [];
  let failNext = false;
  const flusher = new UsageFlusher(counters, {
    async saveUsage(states) {
      if (failNext) { failNext = false; throw new Error('db down'); }
      writes.push([...states]);
    },
  }, { intervalMs: 60_000, logger: silentLogger });
  counters.add('budget:a', w, 1, 0);
  await flusher.flush();
  await flusher.flush();
  assert.deepEqual(writes, [[{ key: 'budget:a', windowStart: 0, used: 1 }]]);
  counters.add('budget:b', w, 2, 0);
  failNext = true;
  await flusher.flush();
  assert.equal(writes.length, 1);
  counters.add('budget:b', w, 3, 0);
  await flusher.stop();
  assert.deepEqual(writes[1], [{ key: 'budget:b', windowStart: 0, used: 5 }]);
});

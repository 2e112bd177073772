// The logs store goes away: PostgreSQL is stopped for ~20 s (LOGS_OUTAGE_MS) while requests keep
// arriving. Rows must stay buffered (the producer never waits), the writer must warn once and
// retry, and after the restart every row must be written; a writer whose buffer is too small for
// the outage must count exactly the rows it could not keep.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLoggingPlugin } from '../../../src/plugins/logging/index.js';
import { openDatabase } from '../../../src/storage/database.js';
import { openLogsStore } from '../../../src/storage/logs/index.js';
import { startPostgres } from '../../support/postgres.js';
import { waitFor } from '../../support/wait.js';
import { chatRequest, context, finished } from './support/events.js';

const OUTAGE_MS = Number(process.env.LOGS_OUTAGE_MS ?? 20_000);

test('rows written during a PostgreSQL outage are buffered and written after it', { timeout: 180_000 }, async (t) => {
  const pg = await startPostgres();
  t.after(() => pg.stop());
  const database = openDatabase({ type: 'postgres', config: pg.config }, { connectTimeoutMs: 1000 });
  t.after(() => database.close());
  const store = await openLogsStore(database, { retentionDays: () => 365 });
  const warnings: string[] = [];
  const infos: string[] = [];
  const logger = { debug() {}, error() {}, info(_o: object, m?: string) { infos.push(m ?? ''); }, warn(_o: object, m?: string) { warnings.push(m ?? ''); } };
  const plugin = createLoggingPlugin({ store, logger, flushIntervalMs: 50 });
  const small = createLoggingPlugin({ store, logger, flushIntervalMs: 50, capacity: 100 });
  t.after(() => plugin.close());
  t.after(() => small.close());

  const send = (target: typeof plugin, prefix: string, from: number, to: number): number => {
    let worst = 0;
    for (let i = from; i < to; i += 1) {
      const ctx = context(`${prefix}-${i}`);
      const request = chatRequest(`hello ${i}`);
      const t0 = performance.now();
      // observe() must hand the row over and return: never a promise, never a wait on the store.
      assert.equal(target.observe!({ type: 'request.start', request, ctx }), undefined);
      assert.equal(target.observe!({ type: 'request.end', summary: finished(request, ctx) }), undefined);
      worst = Math.max(worst, performance.now() - t0);
    }
    return worst;
  };

  send(plugin, 'before', 0, 500);
  assert.ok(await plugin.flush());
  assert.equal(await store.count(), 500);

  await pg.halt();
  const outageStart = Date.now();
  const worstDuring = send(plugin, 'during', 0, 3000);
  // Nothing has been awaited since the store went down, yet every row is already buffered.
  assert.ok(plugin.stats().pending >= 3000, 'rows buffered synchronously while the store is down');
  send(small, 'small', 0, 150);
  await waitFor(() => !plugin.stats().healthy, { timeoutMs: 10_000, message: 'writer to notice the store is down' });
  assert.ok(warnings.some((w) => w.includes('logs store unreachable')), warnings.join('|'));
  assert.equal(plugin.stats().pending, 3000, 'all outage rows buffered');
  assert.equal(small.stats().dropped, 50, 'a 100-row buffer keeps 100 rows and counts 50 dropped');
  const remaining = OUTAGE_MS - (Date.now() - outageStart);
  if (remaining > 0) await new Promise((r) => setTimeout(r, remaining)); // the outage itself is the subject under test
  send(plugin, 'late', 0, 200);
  assert.ok(plugin.stats().failedWrites >= 2, 'writes were retried during the outage');
  await pg.resume();

  assert.ok(await plugin.flush(60_000), 'buffer drained after restart');
  assert.ok(await small.flush(60_000));
  assert.equal(await store.count({}), 500 + 3000 + 200 + 100);
  assert.equal(plugin.stats().dropped, 0);
  assert.equal(small.stats().dropped, 50);
  assert.ok(infos.some((m) => m.includes('reachable again')));
  t.diagnostic(`outage ${OUTAGE_MS} ms; failed write attempts ${plugin.stats().failedWrites}; worst observe() ${worstDuring.toFixed(3)} ms`);
});

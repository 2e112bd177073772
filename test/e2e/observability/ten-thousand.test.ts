// 10,000 requests through the real server give exactly 10,000 log rows (SQLite logs store, the
// default), each finished, and none dropped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Pool } from 'undici';
import { startObservedGateway } from './support/gateway.js';
import { waitFor } from '../../support/wait.js';

const N = 10_000;
const CONCURRENCY = 32;

test(`${N} requests → exactly ${N} log rows`, { timeout: 240_000 }, async (t) => {
  const g = await startObservedGateway();
  t.after(() => g.stop());
  const pool = new Pool(g.url, { connections: CONCURRENCY });
  t.after(() => pool.close());
  const body = JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'count me' }] });
  let next = 0;
  let ok = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < N) {
      next += 1;
      const res = await pool.request({ path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json' }, body });
      await res.body.arrayBuffer();
      if (res.statusCode === 200) ok += 1;
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  assert.equal(ok, N);
  const final = await waitFor(async () => {
    const res = await fetch(`${g.url}/api/logs?status=success&limit=1`);
    const json = await res.json() as { pagination: { total_count: number } };
    return json.pagination.total_count === N ? json : undefined;
  }, { timeoutMs: 30_000, message: `${N} successful log rows` });
  assert.equal(final.pagination.total_count, N);
  const all = await (await fetch(`${g.url}/api/logs?limit=1`)).json() as { pagination: { total_count: number } };
  assert.equal(all.pagination.total_count, N, 'no extra rows (no processing leftovers, no duplicates)');
  const dropped = await (await fetch(`${g.url}/api/logs/dropped`)).json() as { dropped_requests: number };
  assert.equal(dropped.dropped_requests, 0);
  t.diagnostic(`${N} requests in ${seconds.toFixed(1)} s (${(N / seconds).toFixed(0)} req/s) with telemetry and logging on`);
});

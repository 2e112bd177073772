import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { silentLogger } from '../core/index.js';
import { maintainLogs } from './observability.js';

test('log maintenance on a shared (PostgreSQL) store runs on the cluster leader only; a replica\'s own store always', async () => {
  let rounds = 0;
  const store = { maintain: async () => { rounds += 1; return { dropped: [], deleted: 0 }; } };
  assert.equal(await maintainLogs(store, { shared: true, isLeader: () => false, logger: silentLogger }), false);
  assert.equal(await maintainLogs(store, { shared: true, isLeader: () => true, logger: silentLogger }), true);
  assert.equal(await maintainLogs(store, { shared: false, isLeader: () => false, logger: silentLogger }), true);
  assert.equal(rounds, 2);
});

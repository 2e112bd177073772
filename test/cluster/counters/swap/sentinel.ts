// Run under the swap hook only: proves the governance tests beside it really ran on the cluster counters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InMemoryUsageCounters } from '../../../../src/core/index.js';
import { ClusterUsageCounters } from '../../../../src/cluster/counters/index.js';

test('swap in effect: core InMemoryUsageCounters is the cluster implementation', () => {
  assert.ok(new InMemoryUsageCounters() instanceof ClusterUsageCounters);
});

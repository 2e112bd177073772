// Stands in for src/core/usage-counters.ts in the swap test: everything as in core, except that
// InMemoryUsageCounters is the cluster implementation running as a cluster of one.
import { performance } from 'node:perf_hooks';
import { InMemoryHub } from '../../../../src/cluster/channel/in-memory-hub.js';
import { ClusterUsageCounters } from '../../../../src/cluster/counters/counters.js';

export * from '../../../../src/core/usage-counters.js';

let solo = 0;

export class InMemoryUsageCounters extends ClusterUsageCounters {
  constructor() {
    super({ channel: new InMemoryHub().join(`solo${++solo}`), clock: { now: () => Date.now(), monotonic: () => performance.now() }, batchMs: 0 });
  }
}

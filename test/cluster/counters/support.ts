// Helpers for the shared-counter tests: a cluster of counters on the in-memory hub with one fake
// clock, and the governance window logic (rolling or calendar) the counters run with in the gateway.
import type { CounterWindow } from '../../../src/core/index.js';
import { mustParseDuration } from '../../../src/plugins/governance/windows/duration.js';
import { makeWindow } from '../../../src/plugins/governance/windows/window.js';
import { InMemoryHub } from '../../../src/cluster/channel/index.js';
import { ClusterUsageCounters, type ClusterCountersOptions } from '../../../src/cluster/counters/index.js';

export const T0 = Date.UTC(2026, 0, 1);

export function windowOf(text: string, calendarAligned = false): CounterWindow {
  return makeWindow(mustParseDuration(text), { calendarAligned });
}

export interface TestCluster {
  hub: InMemoryHub;
  nodes: ClusterUsageCounters[];
  clock: { now(): number; monotonic(): number };
  advance(ms: number): void;
  /** Joins (or re-joins after kill) a node named `name`. */
  start(name: string, extra?: Partial<ClusterCountersOptions>): ClusterUsageCounters;
}

export function testCluster(names: readonly string[], options: Partial<ClusterCountersOptions> & { deferred?: boolean } = {}): TestCluster {
  const { deferred = true, ...rest } = options;
  const hub = new InMemoryHub({ deferred });
  let now = T0;
  let incarnation = 0;
  const clock = { now: () => now, monotonic: () => now };
  const start = (name: string, extra: Partial<ClusterCountersOptions> = {}) =>
    new ClusterUsageCounters({ channel: hub.join(name), clock, batchMs: 0, incarnation: `i${++incarnation}`, ...rest, ...extra });
  const nodes = names.map((name) => start(name));
  return { hub, nodes, clock, advance: (ms) => { now += ms; }, start };
}

/** One request against a request-count limit: reserve 1, returning the reservation or undefined. */
export function admit(node: ClusterUsageCounters, key: string, window: CounterWindow, max: number, now: number) {
  const outcome = node.reserve([{ key, window, max, amount: 1 }], now);
  return outcome.ok ? outcome.reservation : undefined;
}

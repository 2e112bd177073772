// Property tests. (1) Merging is order- and duplicate-insensitive: whatever order the messages of
// three nodes arrive in, however often each arrives, every node ends with the same slots and sums.
// (2) A node alone behaves exactly like the single-node InMemoryUsageCounters on any sequence of
// reserve/settle/add/read/reset/clock moves, with rolling and calendar windows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { InMemoryUsageCounters, type Reservation, type UsageCounters } from '../../../src/core/index.js';
import type { ClusterChannel, StateProvider } from '../../../src/cluster/channel/index.js';
import { ClusterUsageCounters } from '../../../src/cluster/counters/index.js';
import { decodeMessage } from '../../../src/cluster/counters/codec.js';
import { T0, testCluster, windowOf } from './support.js';

/** A channel that records what its node sends and lets the test deliver it in any order. */
class ManualChannel implements ClusterChannel {
  readonly sent: Uint8Array[] = [];
  handler: ((from: string, payload: Uint8Array) => void) | undefined;
  provider: StateProvider | undefined;
  constructor(readonly self: string) {}
  broadcast(_topic: string, payload: Uint8Array): void { this.sent.push(payload.slice()); }
  on(_topic: string, handler: (from: string, payload: Uint8Array) => void) { this.handler = handler; return () => {}; }
  state(_topic: string, provider: StateProvider) { this.provider = provider; return () => {}; }
  alive() { return ['a', 'b', 'c']; }
  onMembership() { return () => {}; }
}

const KEYS = ['budget:x', 'rl:y:tokens'];
const DAY = windowOf('1d');

const op = fc.record({
  node: fc.integer({ min: 0, max: 2 }),
  key: fc.constantFrom(...KEYS),
  kind: fc.constantFrom('add', 'add', 'add', 'reserve', 'reset', 'state'),
  amount: fc.integer({ min: 1, max: 1000 }).map((n) => n / 100),
});

test('any delivery order and duplication converges to the same slots and sums', () => {
  fc.assert(fc.property(fc.array(op, { minLength: 1, maxLength: 40 }), fc.array(fc.nat(), { minLength: 60, maxLength: 200 }), (ops, order) => {
    const channels = ['a', 'b', 'c'].map((n) => new ManualChannel(n));
    const clock = { now: () => T0, monotonic: () => 0 };
    const nodes = channels.map((channel, i) => new ClusterUsageCounters({ channel, clock, batchMs: 0, incarnation: `i${i}` }));
    for (const o of ops) {
      const node = nodes[o.node]!;
      if (o.kind === 'add') node.add(o.key, DAY, o.amount, T0);
      else if (o.kind === 'reserve') node.reserve([{ key: o.key, window: DAY, max: 1e9, amount: o.amount }], T0);
      else if (o.kind === 'reset') node.reset(o.key);
      else channels[o.node]!.sent.push(channels[o.node]!.provider!.local());
    }
    // Every message reaches every other node at least once, in a shuffled order with repeats.
    for (let to = 0; to < 3; to += 1) {
      const inbox: Array<[string, Uint8Array]> = [];
      channels.forEach((ch, from) => { if (from !== to) for (const p of ch.sent) inbox.push([ch.self, p]); });
      const deliveries = [...inbox.keys(), ...order.map((n) => (inbox.length > 0 ? n % inbox.length : -1)).filter((n) => n >= 0)];
      for (let i = deliveries.length - 1; i > 0; i -= 1) {
        const j = (order[i % Math.max(order.length, 1)] ?? 0) % (i + 1);
        [deliveries[i], deliveries[j]] = [deliveries[j]!, deliveries[i]!];
      }
      for (const d of deliveries) channels[to]!.handler!(inbox[d]![0], inbox[d]![1]);
    }
    // Slot-level equality: every node's full state holds the same slots.
    const slotsOf = (i: number) => decodeMessage(channels[i]!.provider!.local()).slots
      .map((e) => `${e.key}|${e.start}|${e.epoch}|${e.slot}|${e.used}`).sort();
    assert.deepEqual(slotsOf(1), slotsOf(0));
    assert.deepEqual(slotsOf(2), slotsOf(0));
    for (const key of KEYS) {
      const readings = nodes.map((n) => n.read(key, DAY, T0));
      for (const r of readings.slice(1)) assert.ok(Math.abs(r.used - readings[0]!.used) < 1e-9, `${key}: ${readings.map((x) => x.used)}`);
      for (const r of readings) assert.ok(r.reserved >= 0);
    }
  }), { numRuns: 300 });
});

test('without resets the converged sum is exactly what all nodes charged', () => {
  fc.assert(fc.property(fc.array(op.filter((o) => o.kind === 'add'), { minLength: 1, maxLength: 30 }), fc.boolean(), (ops, viaState) => {
    const c = testCluster(['a', 'b', 'c']);
    for (const o of ops) c.nodes[o.node]!.add(o.key, DAY, o.amount, T0);
    if (viaState) c.hub.antiEntropy();
    else c.hub.flush();
    for (const key of KEYS) {
      const expected = ops.filter((o) => o.key === key).reduce((s, o) => s + o.amount, 0);
      for (const n of c.nodes) assert.ok(Math.abs(n.read(key, DAY, T0).used - expected) < 1e-9);
    }
  }), { numRuns: 200 });
});

// ---- single-node equivalence ----

const WINDOWS = [windowOf('1m'), windowOf('1h'), windowOf('1d', true), windowOf('1w', true), windowOf('1M', true)];

const step = fc.oneof(
  fc.record({ kind: fc.constant('reserve' as const), limits: fc.array(fc.record({ k: fc.integer({ min: 0, max: 2 }), max: fc.integer({ min: 1, max: 20 }), amount: fc.integer({ min: 0, max: 5 }) }), { minLength: 1, maxLength: 3 }) }),
  fc.record({ kind: fc.constant('settle' as const), which: fc.nat(), actual: fc.integer({ min: 0, max: 6 }) }),
  fc.record({ kind: fc.constant('add' as const), k: fc.integer({ min: 0, max: 2 }), amount: fc.integer({ min: -1, max: 6 }) }),
  fc.record({ kind: fc.constant('read' as const), k: fc.integer({ min: 0, max: 2 }) }),
  fc.record({ kind: fc.constant('reset' as const), k: fc.integer({ min: 0, max: 2 }) }),
  fc.record({ kind: fc.constant('drain' as const) }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.constantFrom(1, 999, 30_000, 59_999, 60_000, 3_600_000, 86_400_000, 40 * 86_400_000) }),
);

test('a node alone behaves exactly like InMemoryUsageCounters', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: WINDOWS.length - 1 }), fc.array(step, { maxLength: 60 }), (w, steps) => {
    const window = WINDOWS[w]!;
    const c = testCluster(['solo']);
    const pair: Array<{ counters: UsageCounters; held: Reservation[] }> = [
      { counters: new InMemoryUsageCounters(), held: [] }, { counters: c.nodes[0]!, held: [] }];
    let now = T0 + 12_345;
    const key = (k: number) => `rl:${k}:requests`;
    for (const s of steps) {
      const results = pair.map(({ counters, held }) => {
        switch (s.kind) {
          case 'reserve': {
            const out = counters.reserve(s.limits.map((l) => ({ key: key(l.k), window, max: l.max, amount: l.amount })), now);
            if (out.ok) { held.push(out.reservation); return { ok: true, holds: out.reservation.holds.map((h) => [h.key, h.amount]) }; }
            return { ok: false, key: out.limit.key, reading: out.reading };
          }
          case 'settle': {
            const r = held.splice(s.which % Math.max(held.length, 1), 1)[0];
            if (r) counters.settle(r, Object.fromEntries(r.holds.map((h) => [h.key, s.actual])), now);
            return r?.id ?? null;
          }
          case 'add': counters.add(key(s.k), window, s.amount, now); return null;
          case 'read': return counters.read(key(s.k), window, now);
          case 'reset': counters.reset(key(s.k)); return null;
          case 'drain': return counters.drainDirty().sort((a, b) => a.key.localeCompare(b.key));
          case 'advance': now += s.ms; return null;
        }
      });
      if (s.kind === 'advance') now -= s.ms; // both closures advanced it; apply once
      assert.deepEqual(results[1], results[0], `step ${JSON.stringify(s)}`);
    }
  }), { numRuns: 400 });
});

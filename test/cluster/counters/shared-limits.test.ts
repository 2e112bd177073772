// Shared limits on the in-memory hub: N replicas with a limit L admit about L in all, not N×L;
// partitions, dead and restarted nodes, and a window that every node starts at the same instant.
// Requests run in rounds: every node tries one request per round, the round's messages arrive at
// its end (one propagation delay per round), and a request settles `hold` rounds after admission.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Reservation } from '../../../src/core/index.js';
import { ClusterUsageCounters, MemorySlotStore } from '../../../src/cluster/counters/index.js';
import { admit, T0, testCluster, windowOf } from './support.js';
import { waitFor } from '../../support/wait.js';

const KEY = 'rl:r1:requests';
const MINUTE = windowOf('1m');

/** Runs `rounds` rounds on every alive node; returns how many requests each node admitted. */
function runRounds(c: ReturnType<typeof testCluster>, nodes: ClusterUsageCounters[], opts: { max: number; rounds: number; hold: number }): number[] {
  const admitted = nodes.map(() => 0);
  const inFlight: Array<{ node: ClusterUsageCounters; r: Reservation; due: number }> = [];
  for (let round = 0; round < opts.rounds; round += 1) {
    for (const f of inFlight.filter((f) => f.due === round)) f.node.settle(f.r, { [KEY]: 1 }, c.clock.now());
    nodes.forEach((node, i) => {
      const r = admit(node, KEY, MINUTE, opts.max, c.clock.now());
      if (r) {
        admitted[i]! += 1;
        inFlight.push({ node, r, due: round + opts.hold });
      }
    });
    c.hub.flush();
    c.advance(10);
  }
  for (const f of inFlight.filter((f) => f.due >= opts.rounds)) f.node.settle(f.r, { [KEY]: 1 }, c.clock.now());
  c.hub.flush();
  return admitted;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

test('one node alone admits exactly L', () => {
  const c = testCluster(['a']);
  assert.equal(sum(runRounds(c, c.nodes, { max: 50, rounds: 200, hold: 5 })), 50);
});

test('3 nodes, shared reservations: admitted ≤ L + (N-1) × (requests a node admits per propagation delay)', () => {
  for (const hold of [1, 5, 20]) {
    const c = testCluster(['a', 'b', 'c']);
    const total = sum(runRounds(c, c.nodes, { max: 50, rounds: 200, hold }));
    // One request per node per round = per propagation delay: at most N-1 over the limit.
    assert.ok(total >= 50 && total <= 50 + 2, `hold ${hold}: admitted ${total}`);
    for (const node of c.nodes) assert.equal(node.read(KEY, MINUTE, c.clock.now()).used, total);
  }
});

test('3 nodes, local reservations only: admitted ≤ L + (N-1) × (in-flight per node + per delay)', () => {
  for (const hold of [1, 5, 20]) {
    const c = testCluster(['a', 'b', 'c'], { shareReservations: false });
    const total = sum(runRounds(c, c.nodes, { max: 50, rounds: 200, hold }));
    assert.ok(total >= 50 && total <= 50 + 2 * (hold + 1), `hold ${hold}: admitted ${total}`);
  }
});

test('without the cluster (3 independent nodes) every node lets L through: the problem being solved', () => {
  const c = testCluster(['a', 'b', 'c']);
  c.hub.partition([['a'], ['b'], ['c']]);
  assert.equal(sum(runRounds(c, c.nodes, { max: 50, rounds: 200, hold: 5 })), 150);
});

test('partition: each side admits at most L minus what it saw; after heal + anti-entropy the sums converge', () => {
  const c = testCluster(['a', 'b', 'c']);
  const [a, b, cc] = c.nodes as [ClusterUsageCounters, ClusterUsageCounters, ClusterUsageCounters];
  // 20 requests before the split, seen by everyone.
  b.add(KEY, MINUTE, 20, c.clock.now());
  c.hub.flush();
  c.hub.partition([['a'], ['b', 'c']]);
  const left = sum(runRounds(c, [a], { max: 50, rounds: 100, hold: 1 }));
  const right = sum(runRounds(c, [b, cc], { max: 50, rounds: 100, hold: 1 }));
  assert.equal(left, 30);
  assert.ok(right >= 30 && right <= 31, `right side admitted ${right}`);
  c.hub.heal();
  c.hub.antiEntropy();
  const total = 20 + left + right;
  for (const node of c.nodes) assert.equal(node.read(KEY, MINUTE, c.clock.now()).used, total);
  // Over the limit now: nobody admits until the window ends.
  assert.equal(sum(runRounds(c, c.nodes, { max: 50, rounds: 10, hold: 1 })), 0);
});

test('a killed node keeps its usage in the sum until the window ends; its reservations are dropped', () => {
  const c = testCluster(['a', 'b', 'c']);
  const [a, b, cc] = c.nodes as [ClusterUsageCounters, ClusterUsageCounters, ClusterUsageCounters];
  cc.add(KEY, MINUTE, 7, c.clock.now());
  admit(cc, KEY, MINUTE, 100, c.clock.now());
  c.hub.flush();
  assert.deepEqual([a.read(KEY, MINUTE, c.clock.now()).used, a.read(KEY, MINUTE, c.clock.now()).reserved], [7, 1]);
  c.hub.kill('c');
  assert.deepEqual([a.read(KEY, MINUTE, c.clock.now()).used, a.read(KEY, MINUTE, c.clock.now()).reserved], [7, 0]);
  b.add(KEY, MINUTE, 1, c.clock.now());
  c.hub.flush();
  c.hub.antiEntropy();
  assert.equal(a.read(KEY, MINUTE, c.clock.now()).used, 8, 'no double count after anti-entropy');
  c.advance(60_000);
  assert.equal(a.read(KEY, MINUTE, c.clock.now()).used, 0, 'gone with its window');
});

test('a restarted node recovers its slot from peers (anti-entropy) and from the slot store', async () => {
  const store = new MemorySlotStore();
  const c = testCluster(['a', 'b', 'c'], { store });
  const [a, , cc] = c.nodes as [ClusterUsageCounters, ClusterUsageCounters, ClusterUsageCounters];
  cc.add(KEY, MINUTE, 5, c.clock.now());
  c.hub.flush();
  await cc.persist();
  cc.add(KEY, MINUTE, 2, c.clock.now()); // sent to peers, never written by c
  c.hub.flush();
  c.hub.kill('c');
  await a.persist(); // a writes the dead node's slots as a safety net

  // From the store alone (e.g. the whole cluster restarted): 5 + 2, then its new incarnation adds.
  const alone = testCluster(['c2'], { store });
  assert.equal(await alone.nodes[0]!.restore(), 1);
  assert.equal(alone.nodes[0]!.read(KEY, MINUTE, c.clock.now()).used, 7);

  // From peers: restart c (new incarnation) with no store.
  c.advance(1000);
  const c2 = c.start('c', { store: undefined });
  assert.equal(c2.read(KEY, MINUTE, c.clock.now()).used, 0);
  c.hub.antiEntropy();
  assert.equal(c2.read(KEY, MINUTE, c.clock.now()).used, 7);
  c2.add(KEY, MINUTE, 1, c.clock.now());
  c.hub.flush();
  assert.equal(a.read(KEY, MINUTE, c.clock.now()).used, 8);
  assert.equal(c2.read(KEY, MINUTE, c.clock.now()).windowStart, a.read(KEY, MINUTE, c.clock.now()).windowStart);
});

test('windows: nodes join the window the first node opened and roll to the same next start', () => {
  const c = testCluster(['a', 'b']);
  const [a, b] = c.nodes as [ClusterUsageCounters, ClusterUsageCounters];
  a.add(KEY, MINUTE, 1, c.clock.now());
  c.hub.flush();
  c.advance(5_000);
  b.add(KEY, MINUTE, 1, c.clock.now());
  c.hub.flush();
  assert.equal(b.read(KEY, MINUTE, c.clock.now()).windowStart, T0);
  // Each rolls on its own request, at different instants after the end: both pick T0 + 1 min.
  c.advance(55_000 + 300);
  a.add(KEY, MINUTE, 1, c.clock.now());
  c.advance(900);
  b.add(KEY, MINUTE, 1, c.clock.now());
  c.hub.flush();
  for (const n of [a, b]) assert.deepEqual(n.read(KEY, MINUTE, c.clock.now()), { used: 2, reserved: 0, windowStart: T0 + 60_000, nextReset: T0 + 120_000 });
});

test('windows: two nodes opening a window concurrently converge on the earliest start; nothing is lost or double counted', () => {
  const c = testCluster(['a', 'b']);
  const [a, b] = c.nodes as [ClusterUsageCounters, ClusterUsageCounters];
  a.add(KEY, MINUTE, 1, c.clock.now());
  c.advance(20);
  b.add(KEY, MINUTE, 2, c.clock.now()); // a's message not delivered yet: b opens its own window
  c.hub.flush();
  for (const n of [a, b]) assert.deepEqual([n.read(KEY, MINUTE, c.clock.now()).used, n.read(KEY, MINUTE, c.clock.now()).windowStart], [3, T0]);
  b.add(KEY, MINUTE, 4, c.clock.now()); // b now writes to the earliest window
  c.hub.flush();
  // At T0 + 60 s the earliest window has ended; b's own late-started one still holds its first 2.
  c.advance(60_000 - 20);
  assert.equal(a.read(KEY, MINUTE, c.clock.now()).used, 2);
  c.advance(20);
  assert.equal(a.read(KEY, MINUTE, c.clock.now()).used, 0);
  assert.equal(b.read(KEY, MINUTE, c.clock.now()).windowStart, T0 + 60_000, 'continues from the earlier window');
});

test('reset zeroes the key on every node, also when two nodes reset concurrently', () => {
  const c = testCluster(['a', 'b', 'c']);
  const [a, b, cc] = c.nodes as [ClusterUsageCounters, ClusterUsageCounters, ClusterUsageCounters];
  const DAY = windowOf('1d');
  for (const n of c.nodes) n.add('budget:x', DAY, 1.5, c.clock.now());
  c.hub.flush();
  assert.equal(cc.read('budget:x', DAY, c.clock.now()).used, 4.5);
  a.reset('budget:x');
  b.reset('budget:x');
  c.hub.flush();
  for (const n of c.nodes) assert.equal(n.read('budget:x', DAY, c.clock.now()).used, 0);
  cc.add('budget:x', DAY, 0.25, c.clock.now());
  c.hub.flush();
  for (const n of c.nodes) assert.equal(n.read('budget:x', DAY, c.clock.now()).used, 0.25);
});

test('drainDirty reports the cluster sum; load() takes single-node usage once, however many nodes load it', () => {
  const c = testCluster(['a', 'b']);
  const [a, b] = c.nodes as [ClusterUsageCounters, ClusterUsageCounters];
  a.load([{ key: KEY, windowStart: T0, used: 4 }]);
  b.load([{ key: KEY, windowStart: T0, used: 4 }]);
  c.hub.antiEntropy();
  b.add(KEY, MINUTE, 1, c.clock.now());
  c.hub.flush();
  assert.equal(a.read(KEY, MINUTE, c.clock.now()).used, 5);
  assert.deepEqual(b.drainDirty(), [{ key: KEY, windowStart: T0, used: 5 }]);
  assert.deepEqual(b.drainDirty(), []);
});

test('a malformed or forged message is dropped', () => {
  const c = testCluster(['a', 'b'], { deferred: false });
  const [a] = c.nodes as [ClusterUsageCounters];
  const fake = c.hub.join('m');
  fake.broadcast('governance.counters', new Uint8Array([1, 2, 3]));
  assert.equal(a.stats.dropped, 1);
  // b's name in a message sent by m: refused.
  const forged = { self: 'b', broadcast: (t: string, p: Uint8Array) => fake.broadcast(t, p), on: () => () => {}, state: () => () => {},
    alive: () => fake.alive(), onMembership: () => () => {} };
  const other = new ClusterUsageCounters({ channel: forged, clock: c.clock, batchMs: 0 });
  other.add(KEY, MINUTE, 9, c.clock.now());
  assert.equal(a.stats.dropped, 2);
  assert.equal(a.read(KEY, MINUTE, c.clock.now()).used, 0);
});

test('batched deltas: sent after batchMs in one message; syncLagMs and the propagation hook see the delay', async () => {
  const seen: number[] = [];
  const c = testCluster(['a', 'b'], { deferred: true, batchMs: 5, onPropagation: (s) => seen.push(s) });
  const [a, b] = c.nodes as [ClusterUsageCounters, ClusterUsageCounters];
  for (let i = 0; i < 10; i += 1) a.add(KEY, MINUTE, 1, c.clock.now());
  c.advance(7);
  assert.equal(a.syncLagMs(), 7, 'changes not sent yet, 7 ms old');
  await waitFor(() => a.stats.deltasSent > 0 || undefined, { timeoutMs: 2_000, message: 'the batch timer sending the delta' });
  assert.equal(a.stats.deltasSent, 1, 'ten changes, one delta');
  assert.equal(a.syncLagMs(), 0);
  c.advance(40); // the network takes 40 ms
  c.hub.flush();
  assert.equal(b.read(KEY, MINUTE, c.clock.now()).used, 10);
  assert.deepEqual(seen, [0.04]);
  assert.equal(b.syncLagMs(), 40);
  await Promise.all([a.close(), b.close()]);
});

test('pacing near the limit: with several requests per node per propagation delay, the cluster stops at the limit', () => {
  const burst = (paceWindowMs: number): number => {
    const c = testCluster(['a', 'b', 'c'], { paceWindowMs });
    let total = 0;
    for (let round = 0; round < 100; round += 1) {
      // Five concurrent requests on each node within one propagation delay, settled at its end.
      const held: Array<[ClusterUsageCounters, Reservation]> = [];
      for (const node of c.nodes) {
        for (let i = 0; i < 5; i += 1) {
          const r = admit(node, KEY, MINUTE, 50, c.clock.now());
          if (!r) continue;
          total += 1;
          held.push([node, r]);
        }
      }
      for (const [node, r] of held) node.settle(r, { [KEY]: 1 }, c.clock.now());
      c.hub.flush();
      c.advance(10);
    }
    return total;
  };
  const unpaced = burst(0);
  const paced = burst(40);
  assert.ok(unpaced > 52, `without pacing the nodes overshoot by up to (N-1) × 5: ${unpaced}`);
  assert.ok(paced >= 45 && paced <= 52, `with pacing: ${paced}`);
});

test('pacing leaves requests that come one after another alone: they get exactly the limit', () => {
  const c = testCluster(['a', 'b', 'c'], { paceWindowMs: 40 });
  let total = 0;
  for (let i = 0; i < 80; i += 1) {
    const node = c.nodes[i % 3]!;
    const r = admit(node, KEY, MINUTE, 50, c.clock.now());
    if (r) {
      total += 1;
      node.settle(r, { [KEY]: 1 }, c.clock.now());
    }
    c.hub.flush();
    c.advance(2);
  }
  assert.equal(total, 50);
});

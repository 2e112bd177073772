// Measures the shared counters (run: npx tsx test/cluster/measure-counters.ts). Simulated time:
// N replicas each get requests at a steady rate against one request limit; every message reaches
// the others after a fixed propagation delay; deltas go out every `batch` ms (0 = on each change);
// a request settles `hold` ms after admission. Prints how many requests the cluster admits over
// the limit, the messages and bytes sent, and the local cost of reserve + settle against
// InMemoryUsageCounters. Payload sizes are printed for one request's delta and a full state.
import { performance } from 'node:perf_hooks';
import { InMemoryUsageCounters, type CounterWindow, type Reservation, type UsageCounters } from '../../src/core/index.js';
import type { ClusterChannel, StateProvider } from '../../src/cluster/channel/index.js';
import { ClusterUsageCounters } from '../../src/cluster/counters/index.js';
import { T0, windowOf } from './counters/support.js';

interface Event { at: number; run: () => void }

/** Simulated time: a binary heap of events (ties run in the order they were scheduled). */
class Sim {
  now = T0;
  private heap: Array<Event & { seq: number }> = [];
  private seq = 0;
  at(at: number, run: () => void): void {
    const h = this.heap;
    h.push({ at, run, seq: this.seq++ });
    for (let i = h.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }
  runUntil(end: number): void {
    const h = this.heap;
    while (h.length > 0 && h[0]!.at <= end) {
      const top = h[0]!;
      const last = h.pop()!;
      if (h.length > 0) {
        h[0] = last;
        for (let i = 0; ;) {
          const l = 2 * i + 1;
          const r = l + 1;
          let m = i;
          if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
          if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
          if (m === i) break;
          [h[i], h[m]] = [h[m]!, h[i]!];
          i = m;
        }
      }
      this.now = top.at;
      top.run();
    }
    this.now = end;
  }
  private less(a: { at: number; seq: number }, b: { at: number; seq: number }): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }
}

class SimChannel implements ClusterChannel {
  peers: SimChannel[] = [];
  handler: ((from: string, payload: Uint8Array) => void) | undefined;
  sent = 0;
  bytes = 0;
  /** Messages sent in the first simulated second (the limit is not reached yet: full load). */
  firstSecond = 0;
  constructor(readonly self: string, private readonly sim: Sim, private readonly delayMs: number) {}
  broadcast(_topic: string, payload: Uint8Array): void {
    this.sent += 1;
    this.bytes += payload.byteLength;
    if (this.sim.now < T0 + 1000) this.firstSecond += 1;
    for (const p of this.peers) this.sim.at(this.sim.now + this.delayMs, () => p.handler?.(this.self, payload));
  }
  on(_topic: string, handler: (from: string, payload: Uint8Array) => void) { this.handler = handler; return () => {}; }
  state(_topic: string, _provider: StateProvider) { return () => {}; }
  alive() { return [this.self, ...this.peers.map((p) => p.self)]; }
  onMembership() { return () => {}; }
}

const KEY = 'rl:8c1f2a9e-4b7d-4e0a-9a53-0f6d2b1c7e55:requests';

function overshoot(o: { nodes: number; ratePerNode: number; delayMs: number; batchMs: number; holdMs: number; share: boolean; limit: number }) {
  const sim = new Sim();
  const clock = { now: () => sim.now, monotonic: () => sim.now };
  const window = windowOf('1m');
  const channels = Array.from({ length: o.nodes }, (_, i) => new SimChannel(`n${i}`, sim, o.delayMs));
  for (const ch of channels) ch.peers = channels.filter((c) => c !== ch);
  // A huge batchMs keeps the real timer out of the simulation; batches are sent on simulated ticks.
  const nodes = channels.map((channel) => new ClusterUsageCounters({ channel, clock, batchMs: o.batchMs === 0 ? 0 : 1e9, shareReservations: o.share }));
  let admitted = 0;
  const interval = 1000 / o.ratePerNode;
  const end = T0 + 20_000;
  nodes.forEach((node, i) => {
    for (let t = T0 + (i * interval) / o.nodes; t < end; t += interval) {
      sim.at(t, () => {
        const out = node.reserve([{ key: KEY, window, max: o.limit, amount: 1 }], sim.now);
        if (!out.ok) return;
        admitted += 1;
        const r: Reservation = out.reservation;
        sim.at(sim.now + o.holdMs, () => node.settle(r, { [KEY]: 1 }, sim.now));
      });
    }
    if (o.batchMs > 0) for (let t = T0; t < end + o.holdMs; t += o.batchMs) sim.at(t, () => node.publish());
  });
  sim.runUntil(end + o.holdMs + 1000);
  const msgs = channels.reduce((s, c) => s + c.sent, 0);
  const loaded = channels.reduce((s, c) => s + c.firstSecond, 0);
  const bytes = channels.reduce((s, c) => s + c.bytes, 0);
  const used = nodes[0]!.read(KEY, window, sim.now).used;
  return { over: admitted - o.limit, used, msgsPerNodePerSec: loaded / o.nodes, avgBytes: Math.round(bytes / Math.max(msgs, 1)) };
}

function localCost(make: () => UsageCounters): number {
  const counters = make();
  const w: CounterWindow = windowOf('1m');
  const limits = [
    { key: 'rl:a:requests', window: w, max: 1e12, amount: 1 },
    { key: 'rl:a:tokens', window: w, max: 1e12, amount: 1100 },
    { key: 'budget:b', window: windowOf('1M', true), max: 1e12, amount: 0.02 },
  ];
  const n = 200_000;
  const start = performance.now();
  for (let i = 0; i < n; i += 1) {
    const out = counters.reserve(limits, T0 + i);
    if (out.ok) counters.settle(out.reservation, { 'rl:a:requests': 1, 'rl:a:tokens': 900, 'budget:b': 0.015 }, T0 + i);
  }
  return ((performance.now() - start) * 1000) / n;
}

console.log('overshoot: 3 nodes × 200 req/s each, request limit 1000 per 1 min, requests last 2 s');
console.log('delay ms | batch ms | share | over limit | msgs/node/s under load | bytes/msg');
for (const share of [true, false]) {
  for (const delayMs of [1, 10, 50]) {
    for (const batchMs of [0, 10, 20, 50]) {
      const r = overshoot({ nodes: 3, ratePerNode: 200, delayMs, batchMs, holdMs: 2000, share, limit: 1000 });
      console.log(`${delayMs} | ${batchMs} | ${share} | ${r.over} | ${r.msgsPerNodePerSec.toFixed(0)} | ${r.avgBytes}`);
    }
  }
}

// Payload sizes.
{
  const sent: Uint8Array[] = [];
  let provider: StateProvider | undefined;
  const ch: ClusterChannel = { self: 'bifrost-7d9f8c6b5-x2x9q', broadcast: (_t, p) => { sent.push(p); }, on: () => () => {},
    state: (_t, p) => { provider = p; return () => {}; }, alive: () => ['a', 'b'], onMembership: () => () => {} };
  const node = new ClusterUsageCounters({ channel: ch, clock: { now: () => T0, monotonic: () => 0 }, batchMs: 0 });
  const w = windowOf('1m');
  const keys = ['rl:8c1f2a9e-4b7d-4e0a-9a53-0f6d2b1c7e55:requests', 'rl:8c1f2a9e-4b7d-4e0a-9a53-0f6d2b1c7e55:tokens', 'budget:0b7e6f0c-3d1a-4f0e-8b8a-6f1d2c3b4a59'];
  const out = node.reserve(keys.map((key) => ({ key, window: w, max: 1e9, amount: 100 })), T0);
  sent.length = 0;
  if (out.ok) node.settle(out.reservation, { [keys[0]!]: 1, [keys[1]!]: 912, [keys[2]!]: 0.01425 }, T0);
  console.log(`one request's settle delta (3 keys: requests, tokens, budget): ${sent[0]?.byteLength} bytes`);
  for (let i = 0; i < 1000; i += 1) node.add(`rl:${i.toString().padStart(36, '0')}:tokens`, w, 100, T0);
  console.log(`full state, 1003 keys × 1 node: ${provider!.local().byteLength} bytes`);
}

console.log(`local cost per request (reserve + settle, 3 limits): InMemory ${localCost(() => new InMemoryUsageCounters()).toFixed(2)} µs, ` +
  `cluster ${localCost(() => new ClusterUsageCounters({ channel: { self: 'a', broadcast: () => {}, on: () => () => {}, state: () => () => {}, alive: () => ['a'], onMembership: () => () => {} },
    clock: { now: () => T0, monotonic: () => 0 }, batchMs: 1e9 })).toFixed(2)} µs (batched; send cost not included)`);

// The gossip thresholds' mapping, measured on the in-memory network with a fake clock: detection
// time follows timeout_seconds and failure_threshold as thresholds.ts documents, and a member
// counts as healthy (and may lead) only success_threshold probe intervals after it (re)joined.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InMemoryNetwork, FakeClock, seededRandom } from '../../src/cluster/memberlist/index.js';
import { startClusterNode, memberlistTimings, type ClusterNode, type GossipThresholds } from '../../src/cluster/node/index.js';

async function pair(t: Partial<GossipThresholds>, names = ['a', 'b']): Promise<{ net: InMemoryNetwork; clock: FakeClock; nodes: ClusterNode[] }> {
  const net = new InMemoryNetwork();
  const clock = new FakeClock();
  const nodes: ClusterNode[] = [];
  for (const [i, name] of names.entries()) {
    const host = `10.9.0.${i + 1}`;
    const started = startClusterNode({
      cluster: { node_id: name, peers: i === 0 ? [] : ['10.9.0.1:7946'], gossip: { port: 7946, config: t } },
      httpAddress: `${host}:8080`, version: 'test', transport: net.createTransport(host), clock, random: seededRandom(i + 1),
    });
    await clock.advance(5);
    nodes.push(await started);
  }
  const until = async (ok: () => boolean, maxMs: number, what: string): Promise<number> => {
    const start = clock.monotonic();
    while (!ok()) {
      if (clock.monotonic() - start > maxMs) throw new Error(`not within ${maxMs} fake ms: ${what}`);
      await clock.advance(50);
    }
    return clock.monotonic() - start;
  };
  await until(() => nodes.every((n) => n.alive().length === names.length), 10_000, 'joined');
  return Object.assign({ net, clock, nodes }, { until });
}

type Pair = Awaited<ReturnType<typeof pair>> & { until: (ok: () => boolean, maxMs: number, what: string) => Promise<number> };

async function detection(t: GossipThresholds): Promise<number> {
  const p = await pair(t) as Pair;
  const [a] = p.nodes as [ClusterNode, ClusterNode];
  p.net.isolate('10.9.0.2');
  const ms = await p.until(() => a.status().members.find((m) => m.name === 'b')?.state === 'dead', 120_000, 'b dead');
  for (const n of p.nodes) await n.shutdown();
  return ms;
}

test('mapping: timeout_seconds scales probe interval/timeout and TCP timeout; failure_threshold is the suspicion multiplier', () => {
  assert.deepEqual(memberlistTimings({ timeout_seconds: 10, success_threshold: 3, failure_threshold: 3 }),
    { probeIntervalMs: 1000, probeTimeoutMs: 500, tcpTimeoutMs: 10_000, suspicionMult: 3 });
  assert.deepEqual(memberlistTimings({ timeout_seconds: 5, success_threshold: 1, failure_threshold: 6 }),
    { probeIntervalMs: 500, probeTimeoutMs: 250, tcpTimeoutMs: 5_000, suspicionMult: 6 });
});

test('failure detection time: one failed probe + failure_threshold probe intervals (2 nodes: no confirmations expected)', async () => {
  // Bound per the doc: between F × I and F × I + 2 I (waiting for the probe slot, the probe itself, tick slack).
  for (const t of [
    { timeout_seconds: 10, success_threshold: 1, failure_threshold: 3 },
    { timeout_seconds: 10, success_threshold: 1, failure_threshold: 6 },
    { timeout_seconds: 5, success_threshold: 1, failure_threshold: 3 },
  ]) {
    const interval = t.timeout_seconds * 100;
    const ms = await detection(t);
    const lo = t.failure_threshold * interval;
    const hi = (t.failure_threshold + 2) * interval + 100;
    assert.ok(ms >= lo && ms <= hi, `T=${t.timeout_seconds} F=${t.failure_threshold}: dead after ${ms} fake ms, expected ${lo}..${hi}`);
  }
});

test('success_threshold: a (re)joined member is healthy and may lead only after S probe intervals alive', async () => {
  const p = await pair({ timeout_seconds: 10, success_threshold: 3, failure_threshold: 3 }, ['b', 'a']) as Pair;
  const [b, a] = p.nodes as [ClusterNode, ClusterNode];
  // Fresh cluster: after 3 probe intervals everyone is settled; "a" (first by name) leads for both.
  await p.until(() => b.leader() === 'a' && a.leader() === 'a', 5_000, 'a leads');
  assert.equal(a.isLeader(), true);
  assert.equal(b.status().healthy_members, 2);
  // "a" is cut off: b declares it dead and takes over.
  p.net.isolate('10.9.0.2');
  await p.until(() => b.leader() === 'b', 30_000, 'b leads while a is away');
  const changes: string[] = [];
  b.onLeaderChange((e) => changes.push(String(e.leader)));
  p.net.heal();
  await a.status(); // no-op read
  // b keeps retrying while alone; once a is alive again it needs 3 probe intervals (3 s) to lead again.
  const rejoined = await p.until(() => b.status().members.find((m) => m.name === 'a')?.state === 'alive', 60_000, 'a alive again');
  void rejoined;
  const aliveAt = p.clock.monotonic();
  assert.equal(b.leader(), 'b', 'not yet settled');
  assert.equal(b.status().members.find((m) => m.name === 'a')!.healthy, false);
  await p.until(() => b.leader() === 'a', 5_000, 'a leads again');
  const settledAfter = p.clock.monotonic() - aliveAt;
  assert.ok(settledAfter >= 3_000 - 600 && settledAfter <= 3_000 + 600, `settled after ${settledAfter} ms, expected ~3000`);
  assert.deepEqual(changes, ['a']);
  for (const n of p.nodes) await n.shutdown();
});

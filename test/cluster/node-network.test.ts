// Three gateway gossip nodes on real UDP/TCP sockets on 127.0.0.1: join through peers, meta
// (region, HTTP address, version, draining), topic broadcasts (small via gossip, large via TCP),
// per-topic push/pull state, leaders that all nodes agree on, graceful leave seen as `left`,
// encryption, allowed_address_space refusals, and the Prometheus families.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { startClusterNode, registerClusterMetrics, type ClusterNode, type ClusterNodeOptions } from '../../src/cluster/node/index.js';
import { waitFor } from '../support/wait.js';

const FAST = { gossipIntervalMs: 50, pushPullIntervalMs: 500, gossipToTheDeadTimeMs: 5_000 };
const THRESHOLDS = { timeout_seconds: 2, success_threshold: 1, failure_threshold: 2 };
const KEY = Buffer.alloc(32, 9).toString('base64');

const started: ClusterNode[] = [];
async function node(name: string, cluster: Partial<ClusterNodeOptions['cluster']> = {}): Promise<ClusterNode> {
  const n = await startClusterNode({
    cluster: { node_id: name, gossip: { port: 0, config: THRESHOLDS, ...(cluster.gossip ?? {}) }, ...cluster },
    bindAddress: '127.0.0.1', httpAddress: `127.0.0.1:${8000 + started.length}`, version: '0.1.0-test',
    memberlist: FAST, joinRetry: { initialMs: 200, maxMs: 1_000 },
  });
  started.push(n);
  return n;
}

const until = (ok: () => boolean, what: string, timeoutMs = 10_000): Promise<true> => waitFor(() => ok() || undefined, { timeoutMs, message: what });

describe('cluster node on 127.0.0.1', { timeout: 90_000 }, () => {
  after(async () => { await Promise.all(started.map((n) => n.shutdown())); });

  test('three nodes join, agree on leaders, exchange topics and state, drain and leave gracefully', async () => {
    const a = await node('gw-b', { region: 'eu' });
    const b = await node('gw-a', { region: 'us', peers: [a.address] });
    const c = await node('gw-c', { region: 'eu', peers: [a.address, b.address] });
    const all = [a, b, c];
    await until(() => all.every((n) => n.alive().length === 3), 'all see 3 members');
    const s = c.status();
    const peer = s.members.find((m) => m.name === 'gw-a')!;
    assert.equal(peer.region, 'us');
    assert.equal(peer.http_address, '127.0.0.1:8001');
    assert.equal(peer.version, '0.1.0-test');
    assert.equal(peer.address, b.address);
    await until(() => all.every((n) => n.status().cluster_health === 'HEALTHY' && n.leader() === 'gw-a'), 'leader gw-a everywhere');
    assert.equal(b.isLeader(), true);
    assert.equal(a.isLeader(), false);
    assert.deepEqual(c.status().regional_leaders, { eu: 'gw-b', us: 'gw-a' });
    assert.equal(c.regionalLeader('eu'), 'gw-b');
    assert.equal(c.status().healthy_members, 3);

    // Topics: small messages ride gossip; a 50 KB one goes over TCP. Unknown topics are counted.
    const got: string[] = [];
    c.on('counters', (from, p) => got.push(`${from}:${Buffer.from(p).toString()}`));
    a.broadcast('counters', Buffer.from('hello'));
    const big = Buffer.alloc(50_000, 'x');
    let bigFrom = '';
    b.on('big', (from, p) => { if (p.length === big.length) bigFrom = from; });
    a.broadcast('big', big);
    a.broadcast('nobody-listens', Buffer.from('?'));
    await until(() => got.includes('gw-b:hello') && bigFrom === 'gw-b', 'topic messages delivered');
    await until(() => (c.counters().drops.unknown_topic ?? 0) > 0, 'unknown topic counted');

    // Push/pull state per topic reaches the others with the sender's name.
    const merged = new Set<string>();
    a.state('usage', { local: () => Buffer.from('usage-of-a'), merge: () => {} });
    c.state('usage', { local: () => new Uint8Array(0), merge: (from, r) => merged.add(`${from}=${Buffer.from(r).toString()}`) });
    await until(() => merged.has('gw-b=usage-of-a'), 'state merged by push/pull');

    // Draining is gossiped in meta.
    await a.setDraining(true);
    await until(() => c.status().members.find((m) => m.name === 'gw-b')?.draining === true, 'draining seen');

    // Graceful leave: the others see `left` (not dead); leadership moves.
    const events: string[] = [];
    c.onMembership((e) => events.push(`${e.node}:${e.state}`));
    const leaders: (string | undefined)[] = [];
    c.onLeaderChange((e) => leaders.push(e.leader));
    await b.leave(2_000);
    await until(() => events.includes('gw-a:left'), 'c sees gw-a left');
    assert.ok(!events.includes('gw-a:dead'));
    await until(() => c.leader() === 'gw-b' && a.leader() === 'gw-b', 'gw-b leads after gw-a left');
    assert.deepEqual(leaders, ['gw-b']);
    assert.equal(c.status().cluster_health, 'HEALTHY');
  });

  test('a killed node is suspected, then dead; health turns DEGRADED', async () => {
    const logs: string[] = [];
    const logger = { debug() {}, info: (_: object, m?: string) => logs.push(String(m)), warn: (_: object, m?: string) => logs.push(String(m)), error() {} };
    const a = await startClusterNode({
      cluster: { node_id: 'k-a', gossip: { port: 0, config: THRESHOLDS } }, bindAddress: '127.0.0.1',
      httpAddress: '127.0.0.1:1', version: 't', memberlist: FAST, logger,
    });
    started.push(a);
    const b = await node('k-b', { peers: [a.address] });
    await until(() => a.alive().length === 2, 'joined');
    await b.shutdown(); // no leave: a crash as far as a can tell
    await until(() => a.status().members.find((m) => m.name === 'k-b')?.state === 'dead', 'k-b dead', 15_000);
    assert.equal(a.status().cluster_health, 'DEGRADED');
    assert.ok(logs.includes('node marked as suspect'), logs.join(' | '));
    assert.ok(logs.includes('cluster health: DEGRADED'));
    assert.ok(logs.includes('cluster health: HEALTHY'));
  });

  test('join retries: "failed to join cluster" while the peer is down, "successfully joined 1 peers" once it is up', async () => {
    const logs: string[] = [];
    const logger = { debug() {}, info: (_: object, m?: string) => logs.push(String(m)), warn: (_: object, m?: string) => logs.push(String(m)), error() {} };
    // Reserve a port, free it, and point the joiner there before anything listens.
    const probe = await node('r-tmp');
    const port = Number(probe.address.split(':')[1]);
    await probe.shutdown();
    const joiner = await startClusterNode({
      cluster: { node_id: 'r-joiner', peers: [`127.0.0.1:${port}`], gossip: { port: 0, config: THRESHOLDS } },
      bindAddress: '127.0.0.1', httpAddress: '127.0.0.1:2', version: 't', memberlist: FAST, logger, joinRetry: { initialMs: 100, maxMs: 300 },
    });
    started.push(joiner);
    assert.ok(logs.includes('failed to join cluster'));
    assert.equal(joiner.status().cluster_health, 'DEGRADED');
    const target = await node('r-target', { gossip: { port } });
    await until(() => joiner.alive().length === 2 && target.alive().length === 2, 'joined on retry');
    assert.ok(logs.includes('successfully joined 1 peers'), logs.join(' | '));
  });

  test('encryption: nodes with the key form a cluster; a node without it cannot join and its packets count as wrong_key', async () => {
    const a = await node('e-a', { gossip: { port: 0, config: THRESHOLDS, encryption_key: KEY } });
    const b = await node('e-b', { peers: [a.address], gossip: { port: 0, config: THRESHOLDS, encryption_key: KEY } });
    await until(() => a.alive().length === 2 && b.alive().length === 2, 'encrypted pair');
    const plain = await node('e-plain', { peers: [a.address] });
    await until(() => (a.counters().drops.wrong_key ?? 0) + (a.counters().drops.other ?? 0) > 0, 'the keyed node refusing the plain one');
    assert.equal(plain.alive().length, 1);
    assert.ok(!a.alive().includes('e-plain'));
    assert.ok((a.counters().drops.wrong_key ?? 0) + (a.counters().drops.other ?? 0) > 0, JSON.stringify(a.counters().drops));
  });

  test('allowed_address_space: loopback outside 10.0.0.0/8 is never joined, and its packets and streams are refused and counted', async () => {
    const open = await node('s-open');
    const fenced = await node('s-fenced', { peers: [open.address], discovery: { allowed_address_space: ['10.0.0.0/8'] } });
    assert.equal(fenced.alive().length, 1);
    // The open node joins the fenced one: its TCP push/pull is closed unread, its pings dropped.
    await assert.rejects(() => (open as unknown as { ml: { join(a: string[]): Promise<number> } }).ml.join([fenced.address]));
    open.broadcast('x', Buffer.from('y'));
    await until(() => fenced.counters().drops.outside_address_space! >= 2, 'refusals counted');
    assert.equal(fenced.alive().length, 1);
    const inside = await node('s-inside', { peers: [open.address], discovery: { allowed_address_space: ['127.0.0.0/8'] } });
    await until(() => inside.alive().length === 2, 'loopback allowed when listed');
  });

  test('metrics: members by state, gossip traffic and drops are exposed in the given registry', async () => {
    const a = await node('m-a');
    const b = await node('m-b', { peers: [a.address] });
    await until(() => a.alive().length === 2 && b.alive().length === 2, 'pair');
    b.on('t', () => {});
    a.broadcast('t', Buffer.from('1'));
    await until(() => b.counters().appReceived > 0, 'app message received');
    const registry = new Registry();
    const unregister = registerClusterMetrics(registry, b);
    const text = await registry.metrics();
    assert.match(text, /bifrost_cluster_members\{state="alive"\} 2/);
    assert.match(text, /bifrost_cluster_gossip_messages_received_total\{kind="app"\} [1-9]/);
    assert.match(text, /bifrost_cluster_gossip_messages_sent_total\{kind="stream"\} [1-9]/);
    assert.match(text, /bifrost_cluster_gossip_drops_total\{reason="outside_address_space"\} 0/);
    assert.match(text, /# TYPE bifrost_cluster_gossip_drops_total counter/);
    unregister();
    assert.equal(await registry.metrics(), '\n');
  });
});

// The gateway's gossip node with a real HashiCorp memberlist peer (our Go harness): the Go peer
// joins the node and the node joins Go; each sees the other with its meta; the node's topic frames
// reach Go as plain user messages, while Go's messages and push/pull state — not ours — are counted
// and ignored; the Go peer counts as a member (region "unknown") and a killed Go peer turns dead;
// only gateway replicas lead; the node's graceful leave is `left` at Go.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildGoPeer, GossipProcess } from './gossip-process.js';
import { startClusterNode, type ClusterNode } from '../../src/cluster/node/index.js';
import { waitFor } from '../support/wait.js';

const FAST = { gossipIntervalMs: 50, pushPullIntervalMs: 1_000, gossipToTheDeadTimeMs: 5_000 };
const THRESHOLDS = { timeout_seconds: 2, success_threshold: 1, failure_threshold: 2 };

const until = (ok: () => boolean, what: string, timeoutMs = 15_000): Promise<true> => waitFor(() => ok() || undefined, { timeoutMs, message: what });

describe('cluster node ↔ Go memberlist', { timeout: 240_000 }, () => {
  let goBin = '';
  const procs: GossipProcess[] = [];
  const nodes: ClusterNode[] = [];
  const node = async (name: string, peers: string[] = []): Promise<ClusterNode> => {
    const n = await startClusterNode({
      cluster: { node_id: name, region: 'eu', peers, gossip: { port: 0, config: THRESHOLDS } },
      bindAddress: '127.0.0.1', httpAddress: '127.0.0.1:8080', version: '0.1.0', memberlist: FAST,
    });
    nodes.push(n);
    return n;
  };
  before(() => { goBin = buildGoPeer(); });
  after(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    await Promise.all(nodes.map((n) => n.shutdown()));
  });

  test('a Go peer joins the node: meta both ways, frames to Go, Go traffic ignored and counted, graceful leave', async () => {
    const n = await node('gw-go-1');
    const g = GossipProcess.go(goBin, ['-name', 'go-1', '-bind', '127.0.0.1', '-port', '0', '-fast', '-run-for', '60s',
      '-meta', 'role=go', '-state', 'go-state', '-join', n.address]);
    procs.push(g);
    await g.waitFor((e) => e.event === 'joined' && e.count === 1, { message: 'Go joined the node' });
    const seen = await g.waitFor((e) => e.event === 'join' && e.name === 'gw-go-1', { message: 'Go sees the node' });
    assert.deepEqual(JSON.parse(seen.meta!), { region: 'eu', http: '127.0.0.1:8080', version: '0.1.0', draining: false });
    await until(() => n.alive().includes('go-1'), 'node sees go-1');
    const member = n.status().members.find((m) => m.name === 'go-1')!;
    assert.equal(member.region, 'unknown');
    assert.equal(member.http_address, '');

    n.broadcast('counters', Buffer.from('frame-for-go'));
    await g.waitFor((e) => e.event === 'user_msg' && (e.msg ?? '').includes('frame-for-go'), { message: 'frame reached Go' });
    g.command('broadcast gossip-from-go');
    await until(() => (n.counters().drops.undecodable_message ?? 0) > 0, 'Go message counted as undecodable');
    await until(() => (n.counters().drops.undecodable_state ?? 0) > 0, 'Go push/pull state counted as undecodable');
    assert.equal(n.counters().appReceived, 0);

    await n.leave(3_000);
    const left = await g.waitFor((e) => e.event === 'leave' && e.name === 'gw-go-1', { message: 'Go sees the node leave' });
    assert.equal(left.state, 'left');
  });

  test('the node joins Go; a Go peer never leads (not a gateway); a killed Go peer is declared dead', async () => {
    const g = GossipProcess.go(goBin, ['-name', 'a-go', '-bind', '127.0.0.1', '-port', '0', '-fast', '-run-for', '60s']);
    procs.push(g);
    const addr = await g.started();
    const n = await node('gw-go-2', [addr]);
    await until(() => n.alive().length === 2, 'node joined Go');
    await g.waitFor((e) => e.event === 'join' && e.name === 'gw-go-2', { message: 'Go sees the node' });
    // "a-go" sorts first, but only gateway replicas (our meta) may lead.
    await until(() => n.isLeader(), 'the node leads');
    assert.equal(n.status().members.find((m) => m.name === 'a-go')!.healthy, true);
    g.kill();
    await until(() => n.status().members.find((m) => m.name === 'a-go')?.state === 'dead', 'Go peer dead', 20_000);
    assert.equal(n.leader(), 'gw-go-2');
  });
});

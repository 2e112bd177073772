import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NodeTable, type StateBroadcast } from './node-table.js';
import { Awareness } from '../awareness/awareness.js';
import { FakeClock, seededRandom } from '../testing/fake-clock.js';
import { silentLogger } from '../../../core/ports.js';
import { NodeStateType } from './node.js';

const vsn = Uint8Array.of(1, 5, 2, 0, 0, 0);
const addr = (last: number) => Uint8Array.of(10, 0, 0, last);

function setup(n = 0) {
  const clock = new FakeClock();
  const sent: StateBroadcast[] = [];
  const events: string[] = [];
  const awareness = new Awareness(8);
  const t = new NodeTable({
    name: 'me', clock, random: seededRandom(1), logger: silentLogger, awareness,
    suspicionMult: 4, suspicionMaxTimeoutMult: 6, probeIntervalMs: 1000, deadNodeReclaimTimeMs: 0,
    broadcast: (m) => sent.push(m), isLeaving: () => false,
    events: { notifyJoin: (x) => events.push(`join:${x.name}`), notifyLeave: (x) => events.push(`leave:${x.name}:${x.state}`), notifyUpdate: (x) => events.push(`update:${x.name}`) },
  });
  t.aliveNode({ Incarnation: 1, Node: 'me', Addr: addr(1), Port: 7946, Meta: null, Vsn: vsn }, { bootstrap: true });
  for (let i = 0; i < n; i++) t.aliveNode({ Incarnation: 1, Node: `p${i}`, Addr: addr(10 + i), Port: 7946, Meta: null, Vsn: vsn });
  sent.length = 0;
  events.length = 0;
  return { t, clock, sent, events, awareness };
}

test('alive with incarnation 0 about an unknown node is dropped (records start at 0)', () => {
  const { t } = setup();
  t.aliveNode({ Incarnation: 0, Node: 'x', Addr: addr(2), Port: 7946, Meta: null, Vsn: vsn });
  assert.equal(t.nodeMap.get('x')?.state, NodeStateType.dead);
  assert.equal(t.anyAlive(), false);
});

test('others need a strictly greater incarnation; meta changes fire update', () => {
  const { t, events, sent } = setup(1);
  t.aliveNode({ Incarnation: 1, Node: 'p0', Addr: addr(10), Port: 7946, Meta: Uint8Array.of(1), Vsn: vsn });
  assert.equal(sent.length, 0);
  t.aliveNode({ Incarnation: 2, Node: 'p0', Addr: addr(10), Port: 7946, Meta: Uint8Array.of(1), Vsn: vsn });
  assert.deepEqual(events, ['update:p0']);
  assert.equal(sent.length, 1);
});

test('invalid Vsn and conflicting addresses are ignored', () => {
  const { t, sent } = setup(1);
  t.aliveNode({ Incarnation: 5, Node: 'p0', Addr: addr(10), Port: 7946, Meta: null, Vsn: Uint8Array.of(0, 0, 0, 0, 0, 0) });
  t.aliveNode({ Incarnation: 5, Node: 'p0', Addr: addr(99), Port: 7946, Meta: null, Vsn: vsn });
  assert.equal(t.nodeMap.get('p0')!.incarnation, 1);
  assert.equal(sent.length, 0);
});

test('suspect or dead about ourselves is refuted with a higher incarnation', () => {
  const { t, sent, awareness } = setup(1);
  t.suspectNode({ Incarnation: 7, Node: 'me', From: 'p0' });
  assert.equal(t.self!.state, NodeStateType.alive);
  assert.equal(sent[0]!.type, 'alive');
  assert.equal(sent[0]!.body.Incarnation, 8);
  assert.equal(awareness.getHealthScore(), 1);
  t.deadNode({ Incarnation: 8, Node: 'me', From: 'p0' });
  assert.equal(sent[1]!.body.Incarnation, 9);
  assert.equal(t.self!.state, NodeStateType.alive);
});

test('suspicion with n=3 declares the node dead after 4 s (k=0, min timeout)', async () => {
  const { t, clock, events } = setup(2);
  t.suspectNode({ Incarnation: 1, Node: 'p0', From: 'p1' });
  assert.equal(t.nodeMap.get('p0')!.state, NodeStateType.suspect);
  await clock.advance(3999);
  assert.equal(t.nodeMap.get('p0')!.state, NodeStateType.suspect);
  await clock.advance(1);
  assert.equal(t.nodeMap.get('p0')!.state, NodeStateType.dead);
  assert.deepEqual(events, ['leave:p0:2']);
});

test('an alive with a higher incarnation cancels the suspicion', async () => {
  const { t, clock } = setup(2);
  t.suspectNode({ Incarnation: 1, Node: 'p0', From: 'p1' });
  t.aliveNode({ Incarnation: 2, Node: 'p0', Addr: addr(10), Port: 7946, Meta: null, Vsn: vsn });
  await clock.advance(10_000);
  assert.equal(t.nodeMap.get('p0')!.state, NodeStateType.alive);
});

test('dead with From == Node is a leave; reap removes it after GossipToTheDeadTime', async () => {
  const { t, clock, events } = setup(1);
  t.deadNode({ Incarnation: 1, Node: 'p0', From: 'p0' });
  assert.equal(t.nodeMap.get('p0')!.state, NodeStateType.left);
  assert.deepEqual(events, ['leave:p0:3']);
  t.reap(30_000);
  assert.ok(t.nodeMap.has('p0'));
  await clock.advance(30_001);
  t.reap(30_000);
  assert.equal(t.nodeMap.has('p0'), false);
  assert.equal(t.numNodes(), 1);
});

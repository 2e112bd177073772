import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cluster } from './harness.js';
import { suspicionTimeout } from '../../src/cluster/memberlist/suspicion/suspicion.js';

const DEAD = 2;
const LEFT = 3;
const SUSPECT = 1;

async function formCluster(n: number): Promise<Cluster> {
  const c = new Cluster();
  for (let i = 0; i < n; i++) await c.add();
  for (const t of c.nodes.slice(1)) {
    const p = t.ml.join([c.addr(c.nodes[0]!)]);
    await c.clock.advance(5);
    await p;
  }
  await c.until(() => c.nodes.every((t) => t.ml.numMembers() === n), { maxMs: 60_000, message: `all see ${n} members` });
  return c;
}

/** Detection bound: reach the node in round-robin, one probe, the suspicion timeout, gossip slack. */
function detectionBound(n: number): number {
  const probe = 1000;
  const min = suspicionTimeout(4, n, probe);
  const k = n - 2 < 2 ? 0 : 2;
  const timeout = k === 0 ? min : 6 * min;
  return (n + 1) * probe + timeout + 1000;
}

for (const n of [3, 10]) {
  test(`a silent node among ${n} is declared dead by everyone within the formula's bound`, async () => {
    const c = await formCluster(n);
    const victim = c.nodes[n - 1]!;
    c.net.isolate('10.0.0.' + (n + 1));
    const others = c.nodes.filter((t) => t !== victim);
    const bound = detectionBound(n);
    const elapsed = await c.until(() => others.every((t) => c.stateOf(t, victim.name) === DEAD),
      { maxMs: bound, message: `${victim.name} dead everywhere` });
    assert.ok(elapsed <= bound, `detected in ${elapsed} ms, bound ${bound} ms`);
    assert.ok(others.every((t) => t.events.some((e) => e.kind === 'leave' && e.node === victim.name)));
    await c.shutdown();
  });
}

test('a falsely suspected node refutes with a higher incarnation and stays alive', async () => {
  const c = await formCluster(3);
  const [a, , v] = c.nodes as [typeof c.nodes[0], typeof c.nodes[0], typeof c.nodes[0]];
  const before = v!.ml.localNode.incarnation;
  c.net.isolate('10.0.0.4');
  await c.until(() => c.stateOf(a!, v!.name) === SUSPECT, { maxMs: 10_000, stepMs: 20, message: 'victim suspected' });
  c.net.heal();
  await c.until(() => c.nodes.every((t) => c.stateOf(t, v!.name) === 0), { maxMs: 5_000, message: 'victim alive again everywhere' });
  await c.clock.advance(10_000);
  assert.ok(c.nodes.every((t) => c.stateOf(t, v!.name) === 0), 'still alive after the suspicion timeout');
  const after = a!.ml.allNodes().find((n) => n.name === v!.name)!.incarnation;
  assert.ok(after > before, `refuted with incarnation ${after} > ${before}`);
  await c.shutdown();
});

test('a graceful leave is seen as left (not dead) by the others', async () => {
  const c = await formCluster(3);
  const leaver = c.nodes[2]!;
  const p = leaver.ml.leave(5_000);
  await c.clock.advance(3_000);
  await p;
  await c.until(() => c.nodes.slice(0, 2).every((t) => c.stateOf(t, leaver.name) === LEFT),
    { maxMs: 5_000, message: 'leaver left everywhere' });
  assert.ok(c.nodes[0]!.events.some((e) => e.kind === 'leave' && e.node === leaver.name && e.state === LEFT));
  assert.equal(c.nodes[0]!.ml.numMembers(), 2);
  await c.shutdown();
});

test('partition: each side declares the other dead; after heal and rejoin all converge', async () => {
  const c = await formCluster(4);
  c.net.partition(['10.0.0.2', '10.0.0.3'], ['10.0.0.4', '10.0.0.5']);
  await c.until(() => c.nodes.every((t) => t.ml.numMembers() === 2), { maxMs: 60_000, message: 'both sides shrink to 2' });
  c.net.heal();
  const p = c.nodes[0]!.ml.join([c.addr(c.nodes[2]!)]);
  await c.clock.advance(5);
  assert.equal(await p, 1);
  await c.until(() => c.nodes.every((t) => t.ml.numMembers() === 4), { maxMs: 60_000, message: 'all see 4 again' });
  await c.shutdown();
});

test('meta updates reach every node as update events', async () => {
  const c = await formCluster(3);
  const t = c.nodes[1]!;
  t.meta = 'v=2';
  const p = t.ml.updateNode(5_000);
  await c.clock.advance(3_000);
  await p;
  await c.until(() => c.nodes.every((x) => new TextDecoder().decode(x.ml.members().find((n) => n.name === t.name)!.meta) === 'v=2'),
    { maxMs: 5_000, message: 'new meta everywhere' });
  assert.ok(c.nodes[0]!.events.some((e) => e.kind === 'update' && e.node === t.name));
  await c.shutdown();
});

test('indirect probes keep a node alive when only the direct link to it is cut', async () => {
  const c = await formCluster(3);
  c.net.partition(['10.0.0.2'], ['10.0.0.4']);
  await c.clock.advance(30_000);
  assert.ok(c.nodes.every((t) => c.stateOf(t, 'n2') === 0), 'n2 still alive everywhere');
  assert.ok(c.nodes.every((t) => c.stateOf(t, 'n0') === 0), 'n0 still alive everywhere');
  // never even suspected: nobody had to refute (a refutation raises the incarnation)
  const inc = (name: string) => c.nodes[1]!.ml.allNodes().find((n) => n.name === name)!.incarnation;
  assert.equal(inc('n2'), 1);
  assert.equal(inc('n0'), 1);
  await c.shutdown();
});

test('the TCP fallback ping keeps a node alive when all UDP to it is lost', async () => {
  const c = await formCluster(3);
  c.net.dropPacket = (_from, to) => to.host === '10.0.0.4';
  await c.clock.advance(30_000);
  assert.ok(c.nodes.slice(0, 2).every((t) => c.stateOf(t, 'n2') === 0), 'n2 alive through TCP pings');
  c.net.dropPacket = () => false;
  await c.shutdown();
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cluster } from './harness.js';

const key = new Uint8Array(16).map((_, i) => i);

async function pair(overrides = {}): Promise<Cluster> {
  const c = new Cluster();
  await c.add(overrides);
  await c.add(overrides);
  const p = c.nodes[1]!.ml.join([c.addr(c.nodes[0]!)]);
  await c.clock.advance(5);
  await p;
  await c.until(() => c.nodes.every((t) => t.ml.numMembers() === 2), { maxMs: 5_000, message: 'pair formed' });
  return c;
}

test('best-effort and reliable user messages are delivered', async () => {
  const c = await pair();
  const [a, b] = c.nodes as [typeof c.nodes[0] & object, typeof c.nodes[0] & object];
  const nb = a.ml.members().find((n) => n.name === b.name)!;
  a.ml.sendBestEffort(nb, new TextEncoder().encode('udp-hello'));
  const sent = a.ml.sendReliable(nb, new TextEncoder().encode('tcp-hello'));
  await c.clock.advance(10);
  await sent;
  await c.until(() => b.msgs.includes('udp-hello') && b.msgs.includes('tcp-hello'), { maxMs: 1000, message: 'both messages' });
  await c.shutdown();
});

test('application broadcasts ride gossip and are retransmit-limited', async () => {
  const c = new Cluster();
  const a = await c.add();
  const b = await c.add();
  const p = b.ml.join([c.addr(a)]);
  await c.clock.advance(5);
  await p;
  a.queue.queueBroadcast({ message: new TextEncoder().encode('bcast-1') });
  await c.until(() => b.msgs.includes('bcast-1'), { maxMs: 2_000, message: 'broadcast delivered' });
  await c.clock.advance(5_000);
  assert.equal(b.msgs.filter((m) => m === 'bcast-1').length, 4, 'sent RetransmitMult × ceil(log10(2+1)) = 4 times');
  await c.shutdown();
});

test('encrypted, labelled cluster works; a node with the wrong key cannot join and its packets are counted', async () => {
  const c = await pair({ keys: [key], label: 'lbl1' });
  const [a, b] = c.nodes as [typeof c.nodes[0] & object, typeof c.nodes[0] & object];
  const nb = a.ml.members().find((n) => n.name === b.name)!;
  a.ml.sendBestEffort(nb, new TextEncoder().encode('secret'));
  await c.until(() => b.msgs.includes('secret'), { maxMs: 1000, message: 'encrypted message' });
  const bad = await c.add({ keys: [new Uint8Array(16).fill(9)], label: 'lbl1' });
  const p = assert.rejects(bad.ml.join([c.addr(a)]), /failed to join/);
  await c.clock.advance(10);
  await p;
  const wrongLabel = await c.add({ keys: [key], label: 'other' });
  const q = assert.rejects(wrongLabel.ml.join([c.addr(a)]), /failed to join/);
  await c.clock.advance(10);
  await q;
  await c.clock.advance(3_000);
  assert.equal(a.ml.numMembers(), 2);
  assert.ok((a.ml.dropCounts().decrypt_failed ?? 0) + (a.ml.dropCounts().label_mismatch ?? 0) >= 1, JSON.stringify(a.ml.dropCounts()));
  await c.shutdown();
});

test('garbage packets are counted and never crash the node', async () => {
  const c = await pair();
  const a = c.nodes[0]!;
  const t = c.net.createTransport('10.9.9.9');
  const samples = [new Uint8Array(0), Uint8Array.of(0), Uint8Array.of(7, 3, 0, 9), Uint8Array.of(9, 0x81), Uint8Array.of(244, 0), Uint8Array.of(12, 1, 2, 3, 4, 5), Uint8Array.of(99)];
  for (let i = 0; i < 200; i++) samples.push(Uint8Array.from({ length: 1 + (i % 60) }, (_, j) => (i * 31 + j * 17) & 0xff));
  for (const s of samples) t.sendPacket({ host: '10.0.0.2', port: 7946 }, s);
  await c.clock.advance(1_000);
  const drops = Object.values(a.ml.dropCounts()).reduce((x, y) => x + y, 0);
  assert.ok(drops >= samples.length - 20, `counted ${drops} drops of ${samples.length}`);
  assert.equal(a.ml.numMembers(), 2);
  await c.shutdown();
});

test('50 nodes converge to a full view', async () => {
  const c = new Cluster();
  for (let i = 0; i < 50; i++) await c.add();
  for (const t of c.nodes.slice(1)) {
    const p = t.ml.join([c.addr(c.nodes[0]!)]);
    await c.clock.advance(2);
    await p;
  }
  const elapsed = await c.until(() => c.nodes.every((t) => t.ml.numMembers() === 50), { maxMs: 60_000, stepMs: 200, message: '50 members everywhere' });
  assert.ok(elapsed < 60_000);
  await c.shutdown();
});

test('version negotiation: delegate versions outside the cluster range make the join fail', async () => {
  const c = new Cluster();
  const a = await c.add({ delegateProtocolMin: 2, delegateProtocolMax: 5, delegateProtocolVersion: 5 });
  const plain = await c.add();
  const p = assert.rejects(plain.ml.join([c.addr(a)]), /delegate protocol version/);
  await c.clock.advance(10);
  await p;
  const ok = await c.add({ delegateProtocolMin: 2, delegateProtocolMax: 5, delegateProtocolVersion: 4 });
  const q = ok.ml.join([c.addr(a)]);
  await c.clock.advance(10);
  assert.equal(await q, 1);
  assert.equal(a.ml.members().find((n) => n.name === ok.name)?.dCur, 4);
  await c.shutdown();
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cluster } from './harness.js';

test('two nodes join, exchange meta and user state, and see each other alive', async () => {
  const c = new Cluster();
  const a = await c.add({}, 'role=a');
  const b = await c.add({}, 'role=b');
  const p = b.ml.join([c.addr(a)]);
  await c.clock.advance(10);
  assert.equal(await p, 1);
  await c.until(() => a.ml.numMembers() === 2 && b.ml.numMembers() === 2, { maxMs: 5000, message: 'both see 2 members' });
  const seenByB = b.ml.members().find((n) => n.name === 'n0');
  assert.equal(new TextDecoder().decode(seenByB!.meta), 'role=a');
  const seenByA = a.ml.members().find((n) => n.name === 'n1');
  assert.equal(new TextDecoder().decode(seenByA!.meta), 'role=b');
  assert.ok(b.userState.includes('state-of-n0'));
  assert.ok(a.userState.includes('state-of-n1'));
  assert.ok(a.events.some((e) => e.kind === 'join' && e.node === 'n1'));
  await c.shutdown();
});

// The kysely slot store (governance_counter_slots) on a real PostgreSQL server and on SQLite: the
// upsert never lowers a slot (higher epoch replaces, same epoch keeps the larger count, a lower
// epoch is ignored), concurrent writers of one row keep the larger value, ended windows are
// deleted, and a whole cluster restarted from the database gets every node's slots back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type StoreSpec } from '../../../src/storage/database.js';
import { CounterSlotsStore, GovernanceStore } from '../../../src/storage/governance/index.js';
import { startPostgres } from '../../support/postgres.js';
import { T0, testCluster, windowOf } from './support.js';

const sorted = <T extends { node: string; key: string; windowStart: number }>(rows: T[]) =>
  rows.sort((a, b) => `${a.node}${a.key}${a.windowStart}`.localeCompare(`${b.node}${b.key}${b.windowStart}`));

async function contract(spec: StoreSpec) {
  const db = openDatabase(spec);
  try {
    await GovernanceStore.open(db); // applies the governance migrations, 002 included
    const store = new CounterSlotsStore(db);
    await store.saveSlots([
      { node: 'a#1', key: 'k', windowStart: T0, epoch: 0, used: 5 },
      { node: 'b#1', key: 'k', windowStart: T0, epoch: 0, used: 2.5 },
      { node: 'a#1', key: 'old', windowStart: T0 - 60_000, epoch: 0, used: 9 },
      // A repeat in the same batch: the larger wins.
      { node: 'b#1', key: 'k', windowStart: T0, epoch: 0, used: 3 },
    ]);
    await store.saveSlots([{ node: 'a#1', key: 'k', windowStart: T0, epoch: 0, used: 4 }]); // late, lower: ignored
    assert.deepEqual(sorted(await store.loadSlots()).map((r) => r.used), [5, 9, 3]);
    await store.saveSlots([{ node: 'b#1', key: 'k', windowStart: T0, epoch: 1, used: 0 }]); // reset epoch replaces
    await store.saveSlots([{ node: 'b#1', key: 'k', windowStart: T0, epoch: 0, used: 7 }]); // older epoch: ignored
    const b = (await store.loadSlots()).find((r) => r.node === 'b#1');
    assert.deepEqual(b, { node: 'b#1', key: 'k', windowStart: T0, epoch: 1, used: 0 });

    // Concurrent writers of the same row (two nodes writing a dead node's slot): the larger stays.
    const other = new CounterSlotsStore(db);
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? store : other).saveSlots([{ node: 'c#1', key: 'k', windowStart: T0, epoch: 0, used: i }])));
    assert.equal((await store.loadSlots()).find((r) => r.node === 'c#1')?.used, 19);

    await store.deleteWindows([{ key: 'old', windowStart: T0 - 60_000 }]);
    assert.deepEqual(sorted(await store.loadSlots()).map((r) => `${r.node}:${r.key}`), ['a#1:k', 'b#1:k', 'c#1:k']);

    // Many rows in one flush (chunked statements, one transaction).
    await store.saveSlots(Array.from({ length: 1_200 }, (_, i) => ({ node: 'a#1', key: `rl:${i}:tokens`, windowStart: T0, epoch: 0, used: i })));
    assert.equal((await store.loadSlots()).length, 1_203);
  } finally {
    await db.close();
  }
}

async function clusterRestart(spec: StoreSpec) {
  const MIN = windowOf('1m');
  const db = openDatabase(spec);
  try {
    await GovernanceStore.open(db);
    const c = testCluster(['a', 'b', 'c'], { store: new CounterSlotsStore(db) });
    c.nodes.forEach((n, i) => n.add('rl:x:requests', MIN, i + 1, c.clock.now()));
    c.hub.flush();
    await Promise.all(c.nodes.map((n) => n.close()));
    // All replicas gone; a new cluster comes up from the database alone.
    const fresh = testCluster(['a', 'b', 'c'], { store: new CounterSlotsStore(db) });
    for (const n of fresh.nodes) {
      await n.restore();
      n.load([{ key: 'rl:x:requests', windowStart: T0, used: 6 }]); // the single-row table repeats the sum: ignored
      assert.equal(n.read('rl:x:requests', MIN, fresh.clock.now()).used, 6);
    }
    // The next window: a node opening it deletes the ended one's rows.
    fresh.advance(60_000);
    fresh.nodes[0]!.add('rl:x:requests', MIN, 1, fresh.clock.now());
    await fresh.nodes[0]!.persist();
    const rows = await new CounterSlotsStore(db).loadSlots();
    assert.deepEqual(rows.map((r) => [r.windowStart, r.used]), [[T0 + 60_000, 1]]);
  } finally {
    await db.close();
  }
}

test('counter slot store on SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'slots-'));
  try {
    await contract({ type: 'sqlite', config: { path: join(dir, 'a.db') } });
    await clusterRestart({ type: 'sqlite', config: { path: join(dir, 'b.db') } });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('counter slot store on PostgreSQL', async () => {
  const pg = await startPostgres();
  try {
    await contract({ type: 'postgres', config: pg.config });
    await clusterRestart({ type: 'postgres', config: await pg.createDatabase('restart') });
  } finally {
    await pg.stop();
  }
});

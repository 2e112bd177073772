// Config sync below the gateway: config services and governance stores on one database, each with
// its own handle (a replica). Notices over a cluster channel alone (no LISTEN, no poll in time),
// the poll alone on a shared SQLite file, own writes never reloaded, and the governance store's
// applied version: contiguous own writes advance it, another writer in between makes it stale.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryHub } from '../../cluster/channel/index.js';
import { parseConfig } from '../../config/index.js';
import { ConfigService } from '../config-store/service.js';
import { openDatabase, type Database, type StoreSpec } from '../database.js';
import { GovernanceStore } from '../governance/store.js';
import { startPostgres } from '../../../test/support/postgres.js';
import { waitFor } from '../../../test/support/wait.js';
import { startConfigSync, type ConfigSyncChange } from './sync.js';
import { formatNotice, parseNotice } from './versions.js';

const file = parseConfig({ providers: { openai: { keys: [{ name: 'k', value: 'sk-file-key-0000000' }] } } }, { env: {}, source: 'config.json' });

async function addProvider(service: ConfigService, name: string): Promise<void> {
  await service.update((draft) => {
    draft.contents.providers.set(name, { name, config: {}, hash: null, deleted: false, keys: [] });
    draft.touchProvider(name);
  });
}

async function withDatabases(spec: StoreSpec, run: (a: Database, b: Database) => Promise<void>): Promise<void> {
  const a = openDatabase(spec);
  const b = openDatabase(spec);
  try {
    await run(a, b);
  } finally {
    await a.close();
    await b.close();
  }
}

test('notices parse back and reject garbage', () => {
  assert.deepEqual(parseNotice(formatNotice({ section: 'governance', version: 42, node: 'gw-1' })), { section: 'governance', version: 42, node: 'gw-1' });
  for (const bad of ['', 'config', 'config:x:n', 'config:1:', 'CONFIG:1:n']) assert.equal(parseNotice(bad), undefined, bad);
});

test('PostgreSQL: a notice over the cluster channel alone brings the write; the writer does not reload', async () => {
  const pg = await startPostgres();
  try {
    await withDatabases({ type: 'postgres', config: pg.config }, async (a, b) => {
      const replicaA = await ConfigService.open({ file, env: {}, database: a });
      const replicaB = await ConfigService.open({ file, env: {}, database: b });
      const hub = new InMemoryHub();
      const changes: Record<string, ConfigSyncChange[]> = { a: [], b: [] };
      // No LISTEN and a poll far away: only the channel can tell B in time.
      const common = { listen: false, pollIntervalMs: 600_000 };
      const syncA = await startConfigSync({ ...common, database: a, config: replicaA, channel: hub.join('a'), node: 'a', onChange: (c) => changes.a!.push(c) });
      const syncB = await startConfigSync({ ...common, database: b, config: replicaB, channel: hub.join('b'), node: 'b', onChange: (c) => changes.b!.push(c) });
      try {
        await addProvider(replicaA, 'from_a');
        await waitFor(() => replicaB.current().config.providers.from_a !== undefined, { timeoutMs: 2_000, message: 'B to load A\'s provider after the channel notice' });
        assert.deepEqual(changes.b!.map((c) => [c.section, c.via, c.from]), [['config', 'channel', 'a']]);
        assert.equal(replicaB.version, replicaA.version);
        assert.deepEqual(changes.a, [], 'A never reloads its own write');
        assert.equal(syncA.status().listening, false);
      } finally {
        await syncA.close();
        await syncB.close();
      }
    });
  } finally {
    await pg.stop();
  }
});

test('SQLite file shared by two handles: the poll alone brings the write', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'config-sync-'));
  try {
    await withDatabases({ type: 'sqlite', config: { path: join(dir, 'config.db') } }, async (a, b) => {
      const replicaA = await ConfigService.open({ file, env: {}, database: a });
      const replicaB = await ConfigService.open({ file, env: {}, database: b });
      const sync = await startConfigSync({ database: b, config: replicaB, pollIntervalMs: 100 });
      try {
        assert.equal(sync.status().listening, false, 'SQLite has no LISTEN');
        await addProvider(replicaA, 'polled');
        await waitFor(() => replicaB.current().config.providers.polled !== undefined, { timeoutMs: 3_000, message: 'the poll to bring A\'s provider to B' });
      } finally {
        await sync.close();
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('governance store: own contiguous writes keep it current; another writer in between makes it stale until a load', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'config-sync-gv-'));
  try {
    await withDatabases({ type: 'sqlite', config: { path: join(dir, 'config.db') } }, async (a, b) => {
      const storeA = await GovernanceStore.open(a);
      const storeB = await GovernanceStore.open(b);
      await storeA.loadAll();
      assert.equal(storeA.appliedVersion(), 0);
      await storeA.saveTeam({ id: 't1', name: 'one' });
      await storeA.saveTeam({ id: 't2', name: 'two' });
      assert.equal(storeA.appliedVersion(), 2, 'contiguous own writes');
      await storeB.saveTeam({ id: 't3', name: 'three' });
      await storeA.saveTeam({ id: 't4', name: 'four' });
      assert.equal(storeA.appliedVersion(), -1, 'B wrote version 3 in between');
      const snapshot = await storeA.loadAll({ usage: false });
      assert.equal(storeA.appliedVersion(), 4);
      assert.deepEqual(snapshot.teams.map((t) => t.id), ['t1', 't2', 't3', 't4']);
      await storeA.saveUsage([{ key: 'budget:x', windowStart: 0, used: 1 }]);
      assert.equal(storeA.appliedVersion(), 4, 'usage is not config: no version bump');
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

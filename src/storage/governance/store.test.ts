// The governance store against both backends: entities and usage survive a reopen, virtual key
// values are stored sealed and hashed, never in the JSON row. PostgreSQL is a real server
// (test/support/postgres.ts); without one the test fails saying what to install.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openDatabase, type StoreSpec } from '../database.js';
import { GovernanceStore } from './store.js';
import { startPostgres } from '../../../test/support/postgres.js';

const cipher = { encrypted: true, seal: (v: string) => `sealed:${Buffer.from(v).toString('base64')}`,
  open: (v: string) => Buffer.from(v.slice(7), 'base64').toString() };

async function contract(spec: StoreSpec) {
  const db = openDatabase(spec);
  try {
    const store = await GovernanceStore.open(db, { cipher });
    await store.saveBudget({ id: 'b1', max_limit: 10, reset_duration: '1M', calendar_aligned: true });
    await store.saveRateLimit({ id: 'r1', request_max_limit: 5, request_reset_duration: '1m' });
    await store.saveCustomer({ id: 'c1', name: 'acme', budget_id: 'b1' });
    await store.saveTeam({ id: 't1', name: 'eng', customer_id: 'c1' });
    await store.saveVirtualKey({ id: 'v1', name: 'k', value: 'sk-bf-secret', is_active: true, team_id: 't1',
      rate_limit_id: 'r1', provider_configs: [{ id: 'v1#0', provider: 'openai', weight: 1, allowed_models: ['regex:gpt-.*'] }] });
    await store.saveUsage([{ key: 'budget:b1', windowStart: 1000, used: 1.25 }, { key: 'rl:r1:requests', windowStart: 2000, used: 3 }]);
    await store.saveUsage([{ key: 'budget:b1', windowStart: 1000, used: 2.5 }]);
    await store.saveTeam({ id: 't2', name: 'gone' });
    await store.deleteTeam('t2');

    const reopened = await GovernanceStore.open(db, { cipher });
    const snap = await reopened.loadAll();
    assert.deepEqual(snap.budgets, [{ id: 'b1', max_limit: 10, reset_duration: '1M', calendar_aligned: true }]);
    assert.deepEqual(snap.teams.map((t) => t.id), ['t1']);
    assert.equal(snap.virtualKeys[0]?.value, 'sk-bf-secret');
    assert.deepEqual(snap.virtualKeys[0]?.provider_configs[0]?.allowed_models, ['regex:gpt-.*']);
    assert.deepEqual(snap.usage.sort((a, b) => a.key.localeCompare(b.key)),
      [{ key: 'budget:b1', windowStart: 1000, used: 2.5 }, { key: 'rl:r1:requests', windowStart: 2000, used: 3 }]);
    const raw = await sql<{ data: string; value: string; value_hash: string }>`select data, value, value_hash from governance_virtual_keys`.execute(db.db);
    const row = raw.rows[0]!;
    assert.ok(!row.data.includes('sk-bf-secret') && !row.value.includes('sk-bf-secret'), 'plaintext value not stored');
    assert.match(row.value_hash, /^[0-9a-f]{64}$/);
  } finally {
    await db.close();
  }
}

test('governance store on SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gv-store-'));
  try {
    await contract({ type: 'sqlite', config: { path: join(dir, 'config.db') } });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('governance store on PostgreSQL', async () => {
  const pg = await startPostgres();
  try {
    await contract({ type: 'postgres', config: pg.config });
  } finally {
    await pg.stop();
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../database.js';
import { migrate } from '../migrations.js';
import { CONFIG_STORE, configMigrations } from './schema.js';
import { SessionStore } from './sessions.js';

test('sessions: valid until expiry or logout, shared through the database, expired rows pruned', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bifrost-sessions-'));
  const database = openDatabase({ type: 'sqlite', config: { path: join(dir, 'config.db') } });
  try {
    await migrate(database, CONFIG_STORE, configMigrations);
    let now = 1_000;
    const a = new SessionStore(database, () => now);
    const b = new SessionStore(database, () => now);
    const short = await a.create(100);
    const long = await a.create(100_000);
    assert.equal(await b.isValid(long.token), true, 'another replica accepts the session');
    assert.equal(await b.isValid('not-a-token'), false);
    now = 2_000;
    assert.equal(await a.isValid(short.token), false, 'expired');
    await a.create(10_000);
    const rows = await database.db.selectFrom('config_sessions' as never).selectAll().execute();
    assert.equal(rows.length, 2, 'the expired session row was pruned');
    assert.equal(await b.isValid(long.token), true);
    await a.revoke(long.token);
    assert.equal(await a.isValid(long.token), false);
    now += 10_000;
    assert.equal(await b.isValid(long.token), false, 'a logout on another replica reaches this one after the re-check interval');
    assert.equal(await new SessionStore(database, () => now).isValid(long.token), false);
  } finally {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

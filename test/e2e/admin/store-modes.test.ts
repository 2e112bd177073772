// Store modes through startGateway: with an app dir and no config_store block the config store is
// SQLite `<app-dir>/config.db` (Bifrost's default) and edits persist across restarts; with
// `config_store.enabled: false` the file is the only source — reads work, writes are refused.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../../src/core/index.js';
import { startGateway } from '../../../src/main.js';
import { BIFROST_TS_VERSION } from '../../../src/storage/version.js';
import { startAdminStack } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'bifrost-modes-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('default: SQLite config.db in the app dir; API edits survive a restart', async () => {
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ providers: { openai: { keys: [{ name: 'k', value: 'sk-file-key-000000000' }] } } }));
  const start = () => startGateway({ port: 0, host: '127.0.0.1', appDir: dir, env: {}, logger: silentLogger });
  let gw = await start();
  try {
    assert.ok(existsSync(join(dir, 'config.db')), 'config.db created in the app dir');
    const response = await fetch(`${gw.url}/api/providers/openai`, {
      method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ network_config: { max_retries: 4 } }),
    });
    assert.equal(response.status, 200, await response.text());
  } finally {
    await gw.close();
  }
  gw = await start();
  try {
    assert.equal(gw.config.current().providers.openai?.network_config.max_retries, 4);
    assert.equal(gw.config.current().providers.openai?.keys[0]?.value, 'sk-file-key-000000000');
  } finally {
    await gw.close();
  }
});

test('file-only mode: reads answer, writes are refused with 409, nothing is created', async () => {
  const stack = await startAdminStack({ config_store: { enabled: false }, providers: { openai: { keys: [{ name: 'k', value: 'sk-file-only-00000000' }] } } });
  try {
    const list = await stack.api('GET', '/api/providers');
    assert.equal(list.status, 200);
    assert.equal(list.body.total, 1);
    assert.ok(!list.text.includes('sk-file-only-00000000'));
    const write = await stack.api('PUT', '/api/providers/openai', { network_config: { max_retries: 1 } });
    assert.equal(write.status, 409);
    assert.match(write.body.error.message, /config store is disabled/);
    assert.equal((await stack.api('GET', '/api/config')).body.is_db_connected, false);
    assert.equal((await stack.api('GET', '/health')).status, 200);
  } finally {
    await stack.close();
  }
});

test('GET /api/version matches package.json', async () => {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  assert.equal(BIFROST_TS_VERSION, pkg.version);
  const stack = await startAdminStack({ config_store: { enabled: false } });
  try {
    assert.equal((await stack.api('GET', '/api/version')).body, `v${pkg.version}`);
  } finally {
    await stack.close();
  }
});

test('BIFROST_ENCRYPTION_KEY from the environment encrypts the store; starting without it then fails clearly', async () => {
  const path = join(dir, 'env-key.db');
  const raw = { config_store: { enabled: true, type: 'sqlite', config: { path } }, providers: { openai: { keys: [{ name: 'k', value: 'sk-env-encrypted-000000' }] } } };
  const stack = await startAdminStack(raw, { BIFROST_ENCRYPTION_KEY: 'from-the-environment' });
  await stack.close();
  assert.ok(!readFileSync(path).toString('latin1').includes('sk-env-encrypted-000000'));
  await assert.rejects(startAdminStack(raw), /no encryption_key \(or BIFROST_ENCRYPTION_KEY\) is configured/);
  const again = await startAdminStack(raw, { BIFROST_ENCRYPTION_KEY: 'from-the-environment' });
  try {
    assert.equal(again.gw.config.current().providers.openai?.keys[0]?.value, 'sk-env-encrypted-000000');
  } finally {
    await again.close();
  }
});

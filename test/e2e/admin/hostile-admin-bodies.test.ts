// Oversized bodies on the provider, config and plugin admin routes (issue #20, item 7), through the
// real gateway with a SQLite config store: names, secrets, key counts and every free-form field are
// bounded, and an excess is a 400 that names the field and the limit while nothing is stored.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAdminStack, type AdminStack } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'bifrost-hostile-admin-'));
let stack: AdminStack;

before(async () => {
  stack = await startAdminStack({ config_store: { enabled: true, type: 'sqlite', config: { path: join(dir, 'config.db') } } });
});
after(async () => {
  await stack?.close();
  rmSync(dir, { recursive: true, force: true });
});

const many = <T>(n: number, item: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => item(i));

async function refused(method: string, path: string, body: unknown, message: RegExp): Promise<void> {
  const res = await stack.api(method, path, body);
  assert.equal(res.status, 400, `${method} ${path}: ${res.text.slice(0, 300)}`);
  assert.match(res.body.error.message, message);
}

test('provider bodies: key names, secrets, key count and unknown fields are bounded', async () => {
  await refused('POST', '/api/providers', { provider: 'groq', keys: [{ name: 'n'.repeat(8 * 1024 * 1024), value: 'sk-1' }] },
    /^keys\[0\]\.name: must be at most 255 characters$/);
  await refused('POST', '/api/providers', { provider: 'groq', keys: [{ id: 'i'.repeat(256), value: 'sk-1' }] }, /^keys\[0\]\.id: must be at most 255/);
  await refused('POST', '/api/providers', { provider: 'groq', keys: [{ name: 'k', value: 's'.repeat(16 * 1024 + 1) }] },
    /^keys\[0\]\.value: must be at most 16384 characters$/);
  await refused('POST', '/api/providers', { provider: 'groq', keys: many(1001, (i) => ({ name: `k${i}`, value: 'sk' })) }, /^keys: must have at most 1000 items$/);
  await refused('POST', '/api/providers', { provider: 'groq', keys: [{ name: 'k', value: 'sk', models: many(1001, (i) => `m${i}`) }] },
    /^keys\[0\]\.models: must have at most 1000 items$/);
  await refused('POST', '/api/providers', { provider: 'groq', keys: [{ name: 'k', value: 'sk', bedrock_key_config: { region: 'r'.repeat(70_000) } }] },
    /^keys\[0\]\.bedrock_key_config\.region: must be at most 65536 characters$/);
  await refused('POST', '/api/providers', { provider: 'groq', network_config: { extra_headers: Object.fromEntries(many(1001, (i) => [`x-h${i}`, 'v'])) } },
    /^network_config\.extra_headers: must have at most 1000 fields$/);
  await refused('POST', '/api/providers', { provider: 'groq', unknown_block: many(20, () => 'x'.repeat(60_000)) }, /more than 1048576 characters of text in total/);
  await refused('PUT', '/api/providers/openai', { keys: [{ name: 'k'.repeat(300), value: 'sk' }] }, /^keys\[0\]\.name: must be at most 255/);
  const list = await stack.api('GET', '/api/providers');
  assert.equal(list.status, 200);
  assert.ok(!list.body.providers.some((p: { name: string }) => p.name === 'groq'), 'nothing was stored');

  const ok = await stack.api('POST', '/api/providers', { provider: 'groq', keys: [{ name: 'k'.repeat(255), value: 'sk-groq', models: ['*'] }] });
  assert.equal(ok.status, 200, ok.text);
});

test('config bodies: admin username and password, client lists and framework_config are bounded', async () => {
  await refused('PUT', '/api/config', { auth_config: { is_enabled: true, admin_username: 'u'.repeat(256), admin_password: 'pw' } },
    /^auth_config\.admin_username: must be at most 255 characters$/);
  await refused('PUT', '/api/config', { auth_config: { is_enabled: true, admin_username: 'admin', admin_password: 'p'.repeat(1025) } },
    /^auth_config\.admin_password: must be at most 1024 characters$/);
  await refused('PUT', '/api/config', { client_config: { allowed_origins: many(1001, (i) => `https://o${i}.example`) } },
    /^client_config\.allowed_origins: must have at most 1000 items$/);
  await refused('PUT', '/api/config', { framework_config: { blob: 'b'.repeat(8 * 1024 * 1024) } }, /^framework_config\.blob: must be at most 65536 characters$/);
  const config = await stack.api('GET', '/api/config');
  assert.equal(config.status, 200);
  assert.equal(config.body.auth_config.is_enabled, false, 'nothing was stored');
  assert.deepEqual(config.body.framework_config, {});
});

test('plugin bodies: name, path and the free-form config are bounded', async () => {
  await refused('POST', '/api/plugins', { name: 'p'.repeat(256), enabled: false }, /^name: must be at most 255 characters$/);
  await refused('POST', '/api/plugins', { name: 'custom-x', enabled: false, path: '/'.repeat(4097) }, /^path: must be at most 4096 characters$/);
  await refused('POST', '/api/plugins', { name: 'custom-x', enabled: false, config: { rules: many(1001, () => ({})) } },
    /^config\.rules: must have at most 1000 items$/);
  // Sent as text: JSON.stringify itself runs out of stack on deep values.
  const deep = `{"name":"custom-x","enabled":false,"config":${'{"d":'.repeat(5_000)}"leaf"${'}'.repeat(5_000)}}`;
  await refused('POST', '/api/plugins', deep, /^config(\.d)+: nested deeper than 32 levels$/);
  await refused('PUT', '/api/plugins/custom-y', { enabled: false, config: { key: 'k'.repeat(70_000) } }, /^config\.key: must be at most 65536 characters$/);
  const plugins = await stack.api('GET', '/api/plugins');
  assert.equal(plugins.status, 200);
  assert.ok(!plugins.body.plugins.some((p: { name: string }) => p.name.startsWith('custom-')), 'nothing was stored');
});

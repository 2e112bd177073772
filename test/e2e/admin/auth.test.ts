// Admin auth end to end: with governance.auth_config enabled, /api/* and /metrics need Basic
// credentials or a session from POST /api/session/login (cookie or bearer); logout ends the session;
// inference never needs the admin password; the password is stored only as an Argon2id hash.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeOpenAI, type FakeOpenAI } from '../../support/fake-openai-upstream.js';
import { startAdminStack, type AdminStack } from './harness.js';

const PASSWORD = 'admin-PASSWORD-123456';
const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

let fake: FakeOpenAI;
let stack: AdminStack;
const dir = mkdtempSync(join(tmpdir(), 'bifrost-auth-'));
const dbPath = join(dir, 'config.db');

before(async () => {
  fake = await startFakeOpenAI();
  stack = await startAdminStack({
    config_store: { enabled: true, type: 'sqlite', config: { path: dbPath } },
    governance: { auth_config: { is_enabled: true, admin_username: 'admin', admin_password: 'env.ADMIN_PASSWORD' } },
    providers: { openai: { keys: [{ name: 'k', value: 'sk-upstream-key', models: ['*'] }], network_config: { base_url: fake.origin } } },
  }, { ADMIN_PASSWORD: PASSWORD });
});
after(async () => {
  await stack?.close();
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('admin routes and /metrics need credentials; inference does not', async () => {
  const denied = await stack.api('GET', '/api/providers');
  assert.equal(denied.status, 401);
  assert.equal(denied.body.error.type, 'unauthorized');
  assert.equal((await stack.api('GET', '/api/providers', undefined, basic('admin', 'wrong'))).status, 401);
  assert.equal((await stack.api('GET', '/api/providers', undefined, basic('root', PASSWORD))).status, 401);
  assert.equal((await stack.api('GET', '/api/providers', undefined, basic('admin', PASSWORD))).status, 200);
  assert.equal((await stack.api('PUT', '/api/config', { client_config: {} })).status, 401);
  assert.equal((await stack.api('GET', '/metrics')).status, 401);
  assert.equal((await stack.api('GET', '/api/governance/virtual-keys')).status, 401, 'other modules\' /api routes are covered too');
  assert.equal((await stack.api('GET', '/metrics', undefined, basic('admin', PASSWORD))).status, 200);
  const inference = await stack.chat();
  assert.equal(inference.status, 200, await inference.clone().text());
  assert.equal((await stack.api('GET', '/health')).status, 200);
});

test('session login, cookie and bearer use, logout', async () => {
  const before = await stack.api('GET', '/api/session/is-auth-enabled');
  assert.deepEqual(before.body, { is_auth_enabled: true, has_valid_token: false });
  assert.equal((await stack.api('POST', '/api/session/login', { username: 'admin', password: 'nope' })).status, 401);
  assert.equal((await stack.api('POST', '/api/session/login', { username: 'admin' })).status, 400);
  const login = await stack.api('POST', '/api/session/login', { username: 'admin', password: PASSWORD });
  assert.equal(login.status, 200, login.text);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
  assert.match(cookie, /^token=.+/);
  assert.match(login.headers.get('set-cookie') ?? '', /HttpOnly/);
  assert.equal((await stack.api('GET', '/api/providers', undefined, { cookie })).status, 200);
  assert.equal((await stack.api('GET', '/api/providers', undefined, { authorization: `Bearer ${login.body.token}` })).status, 200);
  assert.deepEqual((await stack.api('GET', '/api/session/is-auth-enabled', undefined, { cookie })).body, { is_auth_enabled: true, has_valid_token: true });
  assert.equal((await stack.api('POST', '/api/session/logout', undefined, { cookie })).status, 200);
  assert.equal((await stack.api('GET', '/api/providers', undefined, { cookie })).status, 401);
});

test('the admin password is stored hashed and never returned', async () => {
  const config = await stack.api('GET', '/api/config', undefined, basic('admin', PASSWORD));
  assert.equal(config.body.auth_config.is_enabled, true);
  assert.equal(config.body.auth_config.admin_username, 'admin');
  assert.ok(!config.text.includes(PASSWORD) && !config.text.includes('argon2'));
  const raw = [dbPath, `${dbPath}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f).toString('latin1')).join('');
  assert.ok(raw.includes('$argon2id$'), 'the hash is stored');
  assert.ok(!raw.includes(PASSWORD), 'the password is not stored in clear');
});

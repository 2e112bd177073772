// PostgreSQL (config and logs store) stopped while the gateway serves: inference keeps working on
// the cached config snapshot, admin reads answer from the cache, admin writes fail with 503
// (nothing half applied), /health answers 503 naming both stores — and everything recovers when
// the database returns. Needs a PostgreSQL this test owns (it stops it), so not with PG_URL.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeOpenAI, type FakeOpenAI } from '../../support/fake-openai-upstream.js';
import { startPostgres, type TestPostgres } from '../../support/postgres.js';
import { waitFor } from '../../support/wait.js';
import { startAdminStack, type AdminStack } from './harness.js';

let postgres: TestPostgres;
let fake: FakeOpenAI;
let stack: AdminStack;

before(async () => {
  postgres = await startPostgres();
  fake = await startFakeOpenAI();
  stack = await startAdminStack({
    config_store: postgres.storeBlock,
    logs_store: postgres.storeBlock,
    providers: { openai: { keys: [{ name: 'k', value: 'sk-before-outage-xxxx', models: ['*'] }], network_config: { base_url: fake.origin } } },
  });
});
after(async () => {
  await stack?.close();
  await fake?.close();
  await postgres?.stop();
});

test('inference continues and /health reports the store while PostgreSQL is down; recovery after', { skip: process.env.PG_URL ? 'PG_URL: the server is not ours to stop' : false }, async () => {
  assert.equal((await stack.api('GET', '/health')).status, 200);
  assert.equal((await stack.chat()).status, 200);

  await postgres.halt();
  for (let i = 0; i < 5; i += 1) {
    const response = await stack.chat();
    assert.equal(response.status, 200, `inference during the outage: ${await response.text()}`);
  }
  assert.equal(fake.requests.at(-1)?.apiKey, 'sk-before-outage-xxxx');
  const health = await stack.api('GET', '/health');
  assert.equal(health.status, 503);
  assert.match(health.text, /config_store/);
  assert.ok(health.body.components.config_store, health.text);
  assert.ok(health.body.components.logs_store, health.text);
  assert.equal((await stack.api('GET', '/api/providers')).status, 200, 'admin reads are served from the cache');
  const write = await stack.api('PUT', '/api/providers/openai', { keys: [{ name: 'k', value: 'sk-during-outage-yyyy' }] });
  assert.equal(write.status, 503, write.text);
  assert.equal(stack.gw.config.current().providers.openai?.keys[0]?.value, 'sk-before-outage-xxxx', 'a failed write changes nothing');

  await postgres.resume();
  await waitFor(async () => (await stack.api('GET', '/health')).status === 200, { timeoutMs: 20_000, message: '/health to recover after PostgreSQL returns' });
  const retry = await stack.api('PUT', '/api/providers/openai', { keys: [{ name: 'k', value: 'sk-after-outage-zzzz', models: ['*'] }] });
  assert.equal(retry.status, 200, retry.text);
  assert.equal((await stack.chat()).status, 200);
  assert.equal(fake.requests.at(-1)?.apiKey, 'sk-after-outage-zzzz');
});

test('disable_db_pings_in_health keeps /health green while the store is down', { skip: process.env.PG_URL ? 'PG_URL: the server is not ours to stop' : false }, async () => {
  const config = await stack.api('GET', '/api/config');
  assert.equal((await stack.api('PUT', '/api/config', { client_config: { ...config.body.client_config, disable_db_pings_in_health: true } })).status, 200);
  await postgres.halt();
  try {
    assert.equal((await stack.api('GET', '/health')).status, 200);
  } finally {
    await postgres.resume();
  }
});

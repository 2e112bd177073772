// PUT /api/config merges client_config into what is stored (issue #20 a): a body that names one
// field changes that field only, a nested object merges field by field, lists are replaced whole,
// and a merged block that fails validation changes nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAdminStack, type AdminStack } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'bifrost-config-merge-'));
let stack: AdminStack;

before(async () => {
  stack = await startAdminStack({
    config_store: { enabled: true, type: 'sqlite', config: { path: join(dir, 'config.db') } },
    client: {
      drop_excess_requests: true, log_retention_days: 30, allowed_origins: ['https://a.example'],
      header_filter_config: { allowlist: ['x-a'], denylist: ['x-d'] },
    },
  });
});
after(async () => {
  await stack?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('PUT /api/config with one client field keeps every other client field', async () => {
  const put = await stack.api('PUT', '/api/config', { client_config: { log_retention_days: 7 } });
  assert.equal(put.status, 200, put.text);
  const client = (await stack.api('GET', '/api/config')).body.client_config;
  assert.equal(client.log_retention_days, 7);
  assert.equal(client.drop_excess_requests, true, 'drop_excess_requests was reset to its default');
  assert.deepEqual(client.allowed_origins, ['https://a.example']);
  assert.equal(stack.gw.config.current().client.drop_excess_requests, true);
});

test('PUT /api/config merges nested objects field by field and replaces lists whole', async () => {
  const put = await stack.api('PUT', '/api/config', {
    client_config: { header_filter_config: { allowlist: ['x-b'] }, allowed_origins: ['https://b.example'] },
  });
  assert.equal(put.status, 200, put.text);
  const client = (await stack.api('GET', '/api/config')).body.client_config;
  assert.deepEqual(client.header_filter_config, { allowlist: ['x-b'], denylist: ['x-d'] });
  assert.deepEqual(client.allowed_origins, ['https://b.example']);
  assert.equal(client.log_retention_days, 7);
});

test('PUT /api/config with an invalid field is refused and changes nothing', async () => {
  const put = await stack.api('PUT', '/api/config', { client_config: { log_retention_days: 1, initial_pool_size: -1 } });
  assert.equal(put.status, 400, put.text);
  assert.match(put.body.error.message, /client_config\.initial_pool_size/);
  assert.equal((await stack.api('GET', '/api/config')).body.client_config.log_retention_days, 7);
});

// The admin API end to end through startGateway, run against SQLite and a real PostgreSQL config
// store: CRUD round trips, a change used by the very next inference request, secrets redacted in
// every response and absent from the raw database, 400s naming the field, 50 concurrent writes
// without a lost update, restart keeping API edits, and a wrong encryption key failing at startup.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeOpenAI, type FakeOpenAI } from '../../support/fake-openai-upstream.js';
import { startAdminStack, type AdminStack } from './harness.js';

export interface AdminBackend {
  /** A config_store block pointing at a fresh empty database, and how to read it raw. */
  fresh(): Promise<{ block: Record<string, unknown>; raw(): Promise<string> }>;
}

const FILE_SECRET = 'sk-file-SECRET-aaaaaaaaaaaaaaaa';
const API_SECRET = 'sk-api-SECRET-bbbbbbbbbbbbbbbbbb';
const ENV = { OPENAI_ENV_KEY: 'sk-env-SECRET-cccccccccccccccc' };

function fileConfig(origin: string, block: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    encryption_key: 'test-encryption-key',
    config_store: block,
    providers: {
      openai: {
        keys: [{ name: 'file-key', value: FILE_SECRET, models: ['*'], weight: 1 }],
        network_config: { base_url: origin, max_retries: 0 },
      },
    },
    ...extra,
  };
}

export function adminContract(name: string, backend: AdminBackend): void {
  describe(`admin API on ${name}`, () => {
    let fake: FakeOpenAI;
    let stack: AdminStack;
    let store: Awaited<ReturnType<AdminBackend['fresh']>>;

    before(async () => {
      fake = await startFakeOpenAI();
      store = await backend.fresh();
      stack = await startAdminStack(fileConfig(fake.origin, store.block), ENV);
    });
    after(async () => {
      await stack?.close();
      await fake?.close();
    });

    test('providers: list, get, create, update, delete; secrets redacted everywhere', async () => {
      const list = await stack.api('GET', '/api/providers');
      assert.equal(list.status, 200);
      assert.equal(list.body.total, 1);
      assert.equal(list.body.providers[0].name, 'openai');
      assert.equal(list.body.providers[0].provider_status, 'active');
      assert.ok(!list.text.includes(FILE_SECRET), 'file secret leaked in GET /api/providers');

      const created = await stack.api('POST', '/api/providers', {
        provider: 'groq', keys: [{ name: 'g1', value: 'env.OPENAI_ENV_KEY', models: ['*'] }, { name: 'g2', value: API_SECRET }],
        network_config: { base_url: fake.origin, max_retries: 2 },
      });
      assert.equal(created.status, 200, created.text);
      assert.equal(created.body.keys[0].value, 'env.OPENAI_ENV_KEY');
      assert.ok(!created.text.includes(API_SECRET) && !created.text.includes(ENV.OPENAI_ENV_KEY));
      assert.equal((await stack.api('POST', '/api/providers', { provider: 'groq' })).status, 409);

      const got = await stack.api('GET', '/api/providers/groq');
      assert.equal(got.body.network_config.max_retries, 2);
      assert.deepEqual(got.body.keys.map((k: { name: string }) => k.name), ['g1', 'g2']);

      // Sending back the masked value keeps the secret; only max_retries changes.
      const updated = await stack.api('PUT', '/api/providers/groq', { keys: got.body.keys, network_config: { base_url: fake.origin, max_retries: 1 } });
      assert.equal(updated.status, 200, updated.text);
      assert.equal(stack.gw.config.current().providers.groq?.keys[1]?.value, API_SECRET);
      assert.equal(stack.gw.config.current().providers.groq?.keys[0]?.value, ENV.OPENAI_ENV_KEY);
      assert.equal(stack.gw.config.current().providers.groq?.network_config.max_retries, 1);

      const keys = await stack.api('GET', '/api/keys');
      assert.deepEqual(keys.body.map((k: { provider: string; name: string }) => `${k.provider}/${k.name}`).sort(), ['groq/g1', 'groq/g2', 'openai/file-key']);
      for (const secret of [FILE_SECRET, API_SECRET, ENV.OPENAI_ENV_KEY]) assert.ok(!keys.text.includes(secret));

      assert.equal((await stack.api('DELETE', '/api/providers/groq')).status, 200);
      assert.equal((await stack.api('GET', '/api/providers/groq')).status, 404);
      assert.equal((await stack.api('DELETE', '/api/providers/groq')).status, 404);
      assert.equal(stack.gw.config.current().providers.groq, undefined);
    });

    test('a key changed through the API is used by the very next request', async () => {
      fake.reset();
      assert.equal((await stack.chat()).status, 200);
      assert.equal(fake.requests.at(-1)?.apiKey, FILE_SECRET);
      const put = await stack.api('PUT', '/api/providers/openai', { keys: [{ name: 'file-key', value: API_SECRET, models: ['*'] }] });
      assert.equal(put.status, 200, put.text);
      assert.equal((await stack.chat()).status, 200);
      assert.equal(fake.requests.at(-1)?.apiKey, API_SECRET);
    });

    test('client config and plugins round trip; version answers', async () => {
      const config = await stack.api('GET', '/api/config');
      assert.equal(config.status, 200);
      assert.equal(config.body.client_config.drop_excess_requests, false);
      const put = await stack.api('PUT', '/api/config', { client_config: { ...config.body.client_config, drop_excess_requests: true, log_retention_days: 7 } });
      assert.equal(put.status, 200, put.text);
      assert.equal(stack.gw.config.current().client.drop_excess_requests, true);
      assert.equal((await stack.api('GET', '/api/config')).body.client_config.log_retention_days, 7);

      const plugin = await stack.api('POST', '/api/plugins', { name: 'custom-x', enabled: false, config: { api_key: 'plugin-SECRET-dddddddddddd' } });
      assert.equal(plugin.status, 200, plugin.text);
      assert.ok(!plugin.text.includes('plugin-SECRET'));
      assert.equal((await stack.api('PUT', '/api/plugins/custom-x', { enabled: true })).body.plugin.enabled, true);
      assert.equal((await stack.api('GET', '/api/plugins')).body.plugins.some((p: { name: string }) => p.name === 'custom-x'), true);
      assert.equal((await stack.api('DELETE', '/api/plugins/custom-x')).status, 200);
      assert.equal((await stack.api('GET', '/api/plugins/custom-x')).status, 404);
      assert.match((await stack.api('GET', '/api/version')).body, /^v\d+\.\d+\.\d+/);
    });

    test('malformed bodies get 400 naming the field', async () => {
      const cases: Array<[string, string, unknown, RegExp]> = [
        ['POST', '/api/providers', { provider: 'x1', network_config: { max_retries: 'three' } }, /network_config\.max_retries/],
        ['POST', '/api/providers', { provider: 'x2', keys: [{ name: 'a' }] }, /keys\[0\]\.value/],
        ['POST', '/api/providers', { keys: [] }, /provider/],
        ['PUT', '/api/providers/openai', { concurrency_and_buffer_size: { concurrency: -1 } }, /concurrency_and_buffer_size\.concurrency/],
        ['PUT', '/api/config', { client_config: { drop_excess_requests: 'yes' } }, /client_config\.drop_excess_requests/],
        ['POST', '/api/plugins', { enabled: true }, /name/],
        ['PUT', '/api/providers/openai', '{"keys": [', /json|JSON|body/],
        ['PUT', '/api/providers/openai', [1, 2], /object/],
      ];
      for (const [method, path, body, field] of cases) {
        const response = await stack.api(method, path, body);
        assert.equal(response.status, 400, `${method} ${path} ${JSON.stringify(body)} → ${response.status} ${response.text}`);
        assert.match(response.body?.error?.message ?? '', field, `${method} ${path}: ${response.text}`);
      }
      assert.equal(stack.gw.config.current().providers.x1, undefined);
    });

    test('50 concurrent admin writes lose no update, live and after a restart', async () => {
      const writes = Array.from({ length: 50 }, (_, i) => stack.api('POST', '/api/providers', {
        provider: `p${i}`, keys: [{ name: 'k', value: `sk-concurrent-${i}-xxxxxxxx` }], network_config: { base_url: fake.origin },
      }));
      const results = await Promise.all(writes);
      assert.deepEqual(results.filter((r) => r.status !== 200).map((r) => r.text), []);
      const list = await stack.api('GET', '/api/providers');
      assert.equal(list.body.providers.filter((p: { name: string }) => /^p\d+$/.test(p.name)).length, 50);
      await stack.close();
      stack = await startAdminStack(fileConfig(fake.origin, store.block), ENV);
      const again = await stack.api('GET', '/api/providers');
      assert.equal(again.body.providers.filter((p: { name: string }) => /^p\d+$/.test(p.name)).length, 50);
      // The API edit of the file provider's key survived the restart (split source of truth).
      assert.equal(stack.gw.config.current().providers.openai?.keys[0]?.value, API_SECRET);
    });

    test('no provider secret is in the raw database; a wrong key fails startup clearly', async () => {
      const dump = await store.raw();
      assert.ok(dump.includes('config_keys'), 'the raw dump covers the config tables');
      for (const secret of [FILE_SECRET, API_SECRET, ENV.OPENAI_ENV_KEY, 'sk-concurrent-7-xxxxxxxx']) {
        assert.ok(!dump.includes(secret), `secret ${secret.slice(0, 10)}… found in the raw database`);
      }
      await assert.rejects(startAdminStack({ ...fileConfig(fake.origin, store.block), encryption_key: 'wrong-key' }, ENV),
        /encryption_key does not match/);
    });
  });
}

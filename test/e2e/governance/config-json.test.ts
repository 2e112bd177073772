// Governance wired by the composition root (startGateway) from config.json: the `governance`
// block's VKs, budgets and rate limits, the `governance` plugins entry, `enforce_auth_on_inference`,
// and `config_store` persistence of usage across a restart of the whole gateway.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openaiProvider, startStack } from '../gateway/harness.js';

const VK = 'sk-bf-config-json-key-01';

const config = (dbPath?: string) => (origin: string) => ({
  client: { enforce_auth_on_inference: true },
  providers: { openai: openaiProvider(origin) },
  plugins: [{ name: 'governance', enabled: true, config: { is_vk_mandatory: false } }],
  ...(dbPath ? { config_store: { enabled: true, type: 'sqlite', config: { path: dbPath } } } : {}),
  governance: {
    rate_limits: [{ id: 'rl1', request_max_limit: 2, request_reset_duration: '1h' }],
    virtual_keys: [{ id: 'vk1', name: 'from-config', value: VK, rate_limit_id: 'rl1',
      provider_configs: [{ provider: 'openai', weight: 1, allowed_models: ['gpt-4o-mini'] }] }],
  },
});

const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
const prefixed = JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });

test('config.json governance through startGateway: auth enforced, bare model routed, request limit held across restart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gv-cfg-'));
  const dbPath = join(dir, 'config.db');
  try {
    const stack = await startStack({ config: config(dbPath) });
    try {
      const missing = await stack.post('/v1/chat/completions', prefixed);
      assert.equal(missing.status, 400);
      assert.equal(((await missing.json()) as { error: { type: string } }).error.type, 'virtual_key_required');
      const ok = await stack.post('/v1/chat/completions', body, { authorization: `Bearer ${VK}` });
      assert.equal(ok.status, 200, await ok.clone().text());
      assert.equal(ok.headers.get('x-bifrost-provider'), 'openai');
      assert.equal(stack.fake.requests.at(-1)?.body?.model, 'gpt-4o-mini');
    } finally {
      await stack.close();
    }
    const again = await startStack({ config: config(dbPath) });
    try {
      assert.equal((await again.post('/v1/chat/completions', body, { 'x-bf-vk': VK })).status, 200);
      const limited = await again.post('/v1/chat/completions', body, { 'x-bf-vk': VK });
      assert.equal(limited.status, 429);
      assert.equal(((await limited.json()) as { error: { type: string } }).error.type, 'request_limited');
    } finally {
      await again.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// The /api/governance admin API end to end: create a customer, a team and a virtual key with
// nested budgets and rate limits, use the key through the OpenAI SDK, read usage back through the
// budgets, rate-limits and quota routes, update and delete; entities persist across a restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeOpenAI } from '../../support/fake-openai-upstream.js';
import { apiError, startGovStack, type GovStack } from './harness.js';

async function api(stack: GovStack, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, any> }> {
  const res = await fetch(`${stack.url}/api/governance${path}`, {
    method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() as Record<string, any> };
}

const chat = { model: 'openai/metered', messages: [{ role: 'user' as const, content: 'hello there' }], max_tokens: 5 };

test('admin API: CRUD with nested budgets/rate limits, quota by VK, persistence across restart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gv-admin-'));
  const fake = await startFakeOpenAI();
  const dbPath = join(dir, 'config.db');
  try {
    const stack = await startGovStack({ fake, governance: {}, dbPath });
    let value: string;
    let vkId: string;
    try {
      const customer = await api(stack, 'POST', '/customers', { name: 'acme', budget: { max_limit: 100, reset_duration: '1M' } });
      assert.equal(customer.status, 201);
      const team = await api(stack, 'POST', '/teams', { name: 'eng', customer_id: customer.json.customer.id, budget: { max_limit: 0.01, reset_duration: '1d' } });
      assert.equal(team.status, 201);
      assert.equal(team.json.team.customer.name, 'acme');
      const bad = await api(stack, 'POST', '/virtual-keys', { name: 'x', provider_configs: [{ provider: 'openai', allowed_models: ['regex:('] }] });
      assert.equal(bad.status, 400);
      assert.equal(bad.json.is_bifrost_error, true);
      const badDuration = await api(stack, 'POST', '/virtual-keys', { name: 'x', rate_limit: { request_max_limit: 1, request_reset_duration: '1Q' } });
      assert.equal(badDuration.status, 400);
      assert.match(badDuration.json.error.message, /only valid for budgets/);

      const created = await api(stack, 'POST', '/virtual-keys', {
        name: 'svc', team_id: team.json.team.id, rate_limit: { request_max_limit: 10, request_reset_duration: '1h' },
        provider_configs: [{ provider: 'openai', weight: 1, allowed_models: ['metered'] }],
      });
      assert.equal(created.status, 201);
      value = created.json.virtual_key.value;
      vkId = created.json.virtual_key.id;
      assert.match(value, /^sk-bf-/);
      const listed = await api(stack, 'GET', '/virtual-keys');
      assert.equal(listed.json.count, 1);
      assert.notEqual(listed.json.virtual_keys[0].value, value, 'value masked in listings');

      // Team budget worth 2 requests ($0.005 each): the third is refused with 402.
      const client = stack.client(value);
      await client.chat.completions.create(chat);
      await client.chat.completions.create(chat);
      const err = apiError(await client.chat.completions.create(chat).catch((e: unknown) => e));
      assert.deepEqual([err.status, err.body.type], [402, 'budget_exceeded']);
      assert.match(String(err.body.message), /team budget exceeded/);

      const quota = await fetch(`${stack.url}/api/governance/virtual-keys/quota`, { headers: { authorization: `Bearer ${value}` } });
      assert.equal(quota.status, 200);
      const q = await quota.json() as Record<string, any>;
      assert.equal(q.virtual_key_id, vkId);
      assert.equal(q.rate_limit.request_current_usage, 2);
      const noAuth = await fetch(`${stack.url}/api/governance/virtual-keys/quota`);
      assert.equal(noAuth.status, 401);

      const updated = await api(stack, 'PUT', `/virtual-keys/${vkId}`, { is_active: false });
      assert.equal(updated.status, 200);
      const inactive = apiError(await client.chat.completions.create(chat).catch((e: unknown) => e));
      assert.deepEqual([inactive.status, inactive.body.type], [403, 'virtual_key_blocked']);
      await api(stack, 'PUT', `/virtual-keys/${vkId}`, { is_active: true });
    } finally {
      await stack.close();
    }

    const again = await startGovStack({ fake, governance: {}, dbPath });
    try {
      const teams = await api(again, 'GET', '/teams');
      assert.equal(teams.json.count, 1);
      assert.ok(Math.abs(teams.json.teams[0].budget.current_usage - 0.01) < 1e-9, 'team budget usage persisted');
      const err = apiError(await again.client(value).chat.completions.create(chat).catch((e: unknown) => e));
      assert.equal(err.body.type, 'budget_exceeded');
      assert.equal((await api(again, 'DELETE', `/virtual-keys/${vkId}`)).status, 200);
      assert.equal((await api(again, 'GET', `/virtual-keys/${vkId}`)).status, 404);
      const rateLimits = await api(again, 'GET', '/rate-limits');
      assert.equal(rateLimits.json.count, 0, 'the deleted key\'s rate limit is gone too');
      const gone = apiError(await again.client(value).chat.completions.create(chat).catch((e: unknown) => e));
      assert.equal(gone.body.type, 'virtual_key_not_found');
    } finally {
      await again.close();
    }
  } finally {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

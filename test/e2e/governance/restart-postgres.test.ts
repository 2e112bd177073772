// Usage survives a gateway restart with the governance store on a real PostgreSQL server: a
// request limit and a budget keep counting where the first process stopped (flushed at shutdown).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeOpenAI } from '../../support/fake-openai-upstream.js';
import { startPostgres } from '../../support/postgres.js';
import { apiError, startGovStack } from './harness.js';

const VK = 'sk-bf-e2e-postgres-key-01';
const chat = { model: 'openai/metered', messages: [{ role: 'user' as const, content: 'hello there' }], max_tokens: 5 };

test('usage survives a restart on PostgreSQL', async () => {
  const pg = await startPostgres();
  const fake = await startFakeOpenAI();
  const governance = {
    rate_limits: [{ id: 'rl', request_max_limit: 4, request_reset_duration: '1h' }],
    budgets: [{ id: 'b', max_limit: 1, reset_duration: '1M', calendar_aligned: true }],
    virtual_keys: [{ id: 'vk1', name: 'pg', value: VK, rate_limit_id: 'rl', budget_id: 'b', provider_configs: [{ provider: 'openai' }] }],
  };
  const dbSpec = { type: 'postgres' as const, config: pg.config };
  try {
    const first = await startGovStack({ fake, governance, dbSpec });
    for (let i = 0; i < 3; i++) await first.client(VK).chat.completions.create(chat);
    await first.close();
    const second = await startGovStack({ fake, governance, dbSpec });
    try {
      await second.client(VK).chat.completions.create(chat);
      const err = apiError(await second.client(VK).chat.completions.create(chat).catch((e: unknown) => e));
      assert.deepEqual([err.status, err.body.type], [429, 'request_limited']);
      const budgets = await (await fetch(`${second.url}/api/governance/budgets`)).json() as { budgets: Array<Record<string, unknown>> };
      assert.ok(Math.abs(Number(budgets.budgets[0]!.current_usage) - 0.02) < 1e-9, `budget usage ${String(budgets.budgets[0]!.current_usage)}`);
      const start = new Date(String(budgets.budgets[0]!.last_reset));
      assert.equal(start.getUTCDate(), 1, 'calendar-aligned budget window starts on the 1st');
    } finally {
      await second.close();
    }
  } finally {
    await fake.close();
    await pg.stop();
  }
});

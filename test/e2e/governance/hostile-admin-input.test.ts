// Hostile input to /api/governance (issue #20, items 6 and 7) on a real gateway with a SQLite
// store: a reset duration beyond the longest window is a 400 naming the field (it used to be
// saved, answer 500, and make every later listing 500, across restarts); a row that an older
// version stored with such a duration is listed with its problem and still enforced after a
// restart; oversized names, descriptions and lists are a 400 naming the field and the limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { createGovernance } from '../../../src/plugins/governance/index.js';
import { createPriceBook, loadBundledPricing } from '../../../src/pricing/index.js';
import { silentLogger, systemClock, systemRandom } from '../../../src/core/index.js';
import { startFakeOpenAI } from '../../support/fake-openai-upstream.js';
import { apiError, startGovStack, type GovStack } from './harness.js';

async function api(stack: GovStack, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, any> }> {
  const res = await fetch(`${stack.url}/api/governance${path}`, {
    method, headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() as Record<string, any> };
}

const HUGE = '99999999999999h';
const chat = { model: 'openai/metered', messages: [{ role: 'user' as const, content: 'hi' }], max_tokens: 5 };

async function assertListingsWork(stack: GovStack): Promise<void> {
  for (const path of ['/virtual-keys', '/teams', '/customers', '/budgets', '/rate-limits']) {
    const res = await api(stack, 'GET', path);
    assert.equal(res.status, 200, `GET ${path}: ${JSON.stringify(res.json)}`);
  }
}

test('an out-of-range reset_duration is a 400 naming the field at every admin entry point; nothing is saved', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gv-hostile-'));
  const fake = await startFakeOpenAI();
  const stack = await startGovStack({ fake, governance: {}, dbPath: join(dir, 'config.db') });
  try {
    const team = await api(stack, 'POST', '/teams', { name: 'eng' });
    assert.equal(team.status, 201);
    const cases: Array<[string, string, unknown, RegExp]> = [
      ['POST', '/virtual-keys', { name: 'a', rate_limit: { request_max_limit: 1, request_reset_duration: HUGE } }, /^rate_limit\.request_reset_duration: .*too long: at most 2562047h/],
      ['POST', '/virtual-keys', { name: 'a', rate_limit: { token_max_limit: 1, token_reset_duration: '1e3h' } }, /^rate_limit\.token_reset_duration: invalid duration/],
      ['POST', '/virtual-keys', { name: 'a', budget: { max_limit: 1, reset_duration: HUGE } }, /^budget\.reset_duration: .*too long/],
      ['POST', '/virtual-keys', { name: 'a', budgets: [{ max_limit: 1, reset_duration: '1d' }, { max_limit: 1, reset_duration: '300Y' }] }, /^budgets\.1\.reset_duration: .*too long/],
      ['POST', '/virtual-keys', { name: 'a', provider_configs: [{ provider: 'openai', budget: { max_limit: 1, reset_duration: HUGE } }] }, /^provider_configs\.0\.budget\.reset_duration: .*too long/],
      ['POST', '/virtual-keys', { name: 'a', rate_limit: { request_max_limit: 1, request_reset_duration: `${'9'.repeat(400)}s` } }, /^rate_limit\.request_reset_duration: duration must be at most 64 characters/],
      ['POST', '/virtual-keys', { name: 'a', rate_limit: { request_max_limit: 1, request_reset_duration: '500ms' } }, /^rate_limit\.request_reset_duration: .*at least 1s/],
      ['PUT', `/teams/${team.json.team.id}`, { budget: { max_limit: 1, reset_duration: HUGE } }, /^budget\.reset_duration: .*too long/],
      ['POST', '/customers', { name: 'c', rate_limit: { request_max_limit: 1, request_reset_duration: HUGE } }, /^rate_limit\.request_reset_duration: .*too long/],
    ];
    for (const [method, path, body, message] of cases) {
      const res = await api(stack, method, path, body);
      assert.equal(res.status, 400, `${method} ${path} ${JSON.stringify(body).slice(0, 200)}`);
      assert.match(res.json.error.message, message);
    }
    await assertListingsWork(stack);
    assert.equal((await api(stack, 'GET', '/virtual-keys')).json.count, 0);
    assert.equal((await api(stack, 'GET', '/customers')).json.count, 0);
    assert.equal((await api(stack, 'GET', '/budgets')).json.count, 0);
    assert.equal((await api(stack, 'GET', '/rate-limits')).json.count, 0);

    // Every format accepted before stays accepted, up to the longest Go duration.
    for (const d of ['1s', '30s', '1m', '5m', '1h', '1h30m', '1d', '1w', '1M', '1Y', '10Y', '2562047h']) {
      const ok = await api(stack, 'POST', '/virtual-keys', { name: `ok-${d}`, rate_limit: { request_max_limit: 5, request_reset_duration: d },
        budget: { max_limit: 1, reset_duration: d } });
      assert.equal(ok.status, 201, `${d}: ${JSON.stringify(ok.json)}`);
      assert.equal(ok.json.virtual_key.rate_limit.request_reset_duration, d);
      assert.equal(typeof ok.json.virtual_key.budget.next_reset, 'string');
    }
    assert.equal((await api(stack, 'POST', '/customers', { name: 'q', budget: { max_limit: 1, reset_duration: '1Q' } })).status, 201);
    await assertListingsWork(stack);
  } finally {
    await stack.close();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a store holding bad durations from an older version: after a restart everything lists, the problem is shown and the cap still holds', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gv-hostile-'));
  const dbPath = join(dir, 'config.db');
  const fake = await startFakeOpenAI();
  try {
    let value: string;
    let teamId: string;
    const first = await startGovStack({ fake, governance: {}, dbPath });
    try {
      const team = await api(first, 'POST', '/teams', { name: 'eng', budget: { max_limit: 100, reset_duration: '1d' } });
      teamId = team.json.team.id;
      const vk = await api(first, 'POST', '/virtual-keys', { name: 'svc', team_id: teamId,
        provider_configs: [{ provider: 'openai', allowed_models: ['metered'] }],
        rate_limit: { request_max_limit: 1, request_reset_duration: '1h', token_max_limit: 1000, token_reset_duration: '1h' } });
      assert.equal(vk.status, 201);
      value = vk.json.virtual_key.value;
    } finally {
      await first.close();
    }

    // What an older version let through, written straight into the database.
    const db = new Sqlite(dbPath);
    try {
      const rewrite = (table: string, patch: Record<string, unknown>) => {
        for (const row of db.prepare(`select id, data from ${table}`).all() as Array<{ id: string; data: string }>) {
          db.prepare(`update ${table} set data = ? where id = ?`).run(JSON.stringify({ ...JSON.parse(row.data), ...patch }), row.id);
        }
      };
      rewrite('governance_budgets', { reset_duration: HUGE });
      rewrite('governance_rate_limits', { request_reset_duration: HUGE, token_reset_duration: 'every tuesday' });
    } finally {
      db.close();
    }

    const again = await startGovStack({ fake, governance: {}, dbPath });
    try {
      await assertListingsWork(again);
      const keys = await api(again, 'GET', '/virtual-keys');
      assert.equal(keys.json.count, 1, 'the entity is still listed');
      const rl = keys.json.virtual_keys[0].rate_limit;
      assert.equal(rl.request_reset_duration, HUGE, 'shown as stored');
      assert.equal(rl.problems.length, 2);
      assert.match(rl.problems.join('\n'), /request_reset_duration: .*too long.*never resets/);
      assert.match(rl.problems.join('\n'), /token_reset_duration: invalid duration "every tuesday"/);
      const teams = await api(again, 'GET', '/teams');
      assert.equal(teams.json.count, 1);
      const budget = teams.json.teams[0].budget;
      assert.match(budget.problems[0], /^reset_duration: /);
      assert.equal(typeof budget.next_reset, 'string');

      // The cap is kept (as the older version enforced it): one request, then 429.
      const client = again.client(value);
      await client.chat.completions.create(chat);
      const limited = apiError(await client.chat.completions.create(chat).catch((e: unknown) => e));
      assert.equal(limited.status, 429);

      // Correcting the value through the API clears the problem.
      const fixed = await api(again, 'PUT', `/teams/${teamId}`, { budget: { max_limit: 100, reset_duration: '1d' } });
      assert.equal(fixed.status, 200);
      assert.equal(fixed.json.team.budget.problems, undefined);
    } finally {
      await again.close();
    }
  } finally {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('config.json: an out-of-range duration in the governance block stops startup naming its path', async () => {
  const start = (governance: unknown) => createGovernance({
    governance, pricing: createPriceBook(loadBundledPricing()), client: () => ({ enforce_governance_header: false, enforce_auth_on_inference: false }),
    clock: systemClock, random: systemRandom, logger: silentLogger,
  });
  await assert.rejects(start({ budgets: [{ id: 'b', max_limit: 1, reset_duration: HUGE }] }), /governance\.budgets\.0\.reset_duration: .*too long/);
  await assert.rejects(start({ rate_limits: [{ id: 'r', request_max_limit: 1, request_reset_duration: '1h', token_max_limit: 1, token_reset_duration: '1e9Y' }] }),
    /governance\.rate_limits\.0\.token_reset_duration/);
  await assert.rejects(start({ virtual_keys: [{ id: 'v', name: 'n'.repeat(256) }] }), /governance\.virtual_keys\.0\.name: must be at most 255 characters/);
  const ok = await start({ budgets: [{ id: 'b', max_limit: 1, reset_duration: '1Y' }] });
  await ok.plugin.close?.();
});

test('oversized governance bodies are a 400 naming the field and the limit; nothing is stored', async () => {
  const fake = await startFakeOpenAI();
  const stack = await startGovStack({ fake, governance: {} });
  try {
    const many = <T>(n: number, item: (i: number) => T) => Array.from({ length: n }, (_, i) => item(i));
    const cases: Array<[string, string, unknown, RegExp]> = [
      ['POST', '/virtual-keys', { name: 'x'.repeat(8 * 1024 * 1024) }, /^name: must be at most 255 characters$/],
      ['POST', '/virtual-keys', { name: 'x'.repeat(256) }, /^name: must be at most 255 characters$/],
      ['POST', '/virtual-keys', { name: 'ok', description: 'd'.repeat(4097) }, /^description: must be at most 4096 characters$/],
      ['POST', '/virtual-keys', { name: 'ok', value: `sk-bf-${'v'.repeat(600)}` }, /^value: must be at most 512 characters$/],
      ['POST', '/virtual-keys', { name: 'ok', expires_at: '2'.repeat(100) }, /^expires_at: must be at most 64 characters$/],
      ['POST', '/virtual-keys', { name: 'ok', provider_configs: many(257, (i) => ({ provider: `p${i}` })) }, /^provider_configs: must have at most 256 items$/],
      ['POST', '/virtual-keys', { name: 'ok', provider_configs: [{ provider: 'p'.repeat(256) }] }, /^provider_configs\.0\.provider: must be at most 255 characters$/],
      ['POST', '/virtual-keys', { name: 'ok', provider_configs: [{ provider: 'openai', allowed_models: many(1001, (i) => `m${i}`) }] },
        /^provider_configs\.0\.allowed_models: must have at most 1000 items$/],
      ['POST', '/virtual-keys', { name: 'ok', provider_configs: [{ provider: 'openai', blacklisted_models: ['m'.repeat(1025)] }] },
        /^provider_configs\.0\.blacklisted_models\.0: must be at most 1024 characters$/],
      ['POST', '/virtual-keys', { name: 'ok', provider_configs: [{ provider: 'openai', key_ids: many(1001, (i) => `k${i}`) }] },
        /^provider_configs\.0\.key_ids: must have at most 1000 items$/],
      ['POST', '/virtual-keys', { name: 'ok', budgets: many(33, () => ({ max_limit: 1, reset_duration: '1d' })) }, /^budgets: must have at most 32 items$/],
      ['POST', '/virtual-keys', { name: 'ok', team_id: 't'.repeat(256) }, /^team_id: must be at most 255 characters$/],
      ['POST', '/teams', { name: 't'.repeat(256) }, /^name: must be at most 255 characters$/],
      ['POST', '/customers', { name: 'c'.repeat(256) }, /^name: must be at most 255 characters$/],
    ];
    for (const [method, path, body, message] of cases) {
      const res = await api(stack, method, path, body);
      assert.equal(res.status, 400, `${method} ${path}: ${JSON.stringify(res.json).slice(0, 300)}`);
      assert.match(res.json.error.message, message);
    }
    const vk = await api(stack, 'POST', '/virtual-keys', { name: 'n'.repeat(255), description: 'd'.repeat(4096) });
    assert.equal(vk.status, 201, 'exactly at the limits is accepted');
    const put = await api(stack, 'PUT', `/virtual-keys/${vk.json.virtual_key.id}`, { name: 'y'.repeat(1_000_000) });
    assert.equal(put.status, 400);
    assert.match(put.json.error.message, /^name: must be at most 255 characters$/);
    const team = await api(stack, 'POST', '/teams', { name: 'eng' });
    const teamPut = await api(stack, 'PUT', `/teams/${team.json.team.id}`, { name: 'z'.repeat(300) });
    assert.match(teamPut.json.error.message, /^name: must be at most 255 characters$/);
    const listed = await api(stack, 'GET', '/virtual-keys');
    assert.equal(listed.json.count, 1);
    assert.equal(listed.json.virtual_keys[0].name.length, 255);
    assert.equal((await api(stack, 'GET', '/teams')).json.teams[0].name, 'eng');
  } finally {
    await stack.close();
    await fake.close();
  }
});

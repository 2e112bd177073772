// A governance store holding durations an older version let through (issue #20, item 6): startup
// logs each bad value with its entity, id and field, loads the entity anyway, and the admin views
// list it with `problems` instead of answering 500.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock, systemRandom, type Logger } from '../../core/index.js';
import { createGovernance } from './bootstrap.js';
import type { GovernanceRepository, GovernanceSnapshot } from './repository.js';
import { storedDurationProblems } from './stored-durations.js';

const snapshot: GovernanceSnapshot = {
  budgets: [{ id: 'b-bad', max_limit: 1, reset_duration: '99999999999999h' }, { id: 'b-ok', max_limit: 1, reset_duration: '1d' }],
  rateLimits: [{ id: 'r-bad', request_max_limit: 1, request_reset_duration: '1h', token_max_limit: 5, token_reset_duration: 'soon' }],
  customers: [],
  teams: [{ id: 't', name: 'eng', budget_id: 'b-bad' }],
  virtualKeys: [{ id: 'v', name: 'svc', value: 'sk-bf-stored-key-value', is_active: true, team_id: 't', rate_limit_id: 'r-bad',
    budget_ids: ['b-ok'], provider_configs: [] }],
  usage: [],
};

function repository(): GovernanceRepository {
  const noop = async () => {};
  return {
    loadAll: async () => structuredClone(snapshot), saveUsage: noop, saveBudget: noop, deleteBudget: noop, saveRateLimit: noop,
    deleteRateLimit: noop, saveCustomer: noop, deleteCustomer: noop, saveTeam: noop, deleteTeam: noop, saveVirtualKey: noop, deleteVirtualKey: noop,
  };
}

test('storedDurationProblems names entity, id, field and reason of each bad value', () => {
  const problems = storedDurationProblems(snapshot);
  assert.deepEqual(problems.map((p) => [p.entity, p.id, p.field]), [['budget', 'b-bad', 'reset_duration'], ['rate_limit', 'r-bad', 'token_reset_duration']]);
  assert.match(problems[0]!.problem, /too long/);
  assert.equal(storedDurationProblems({ budgets: [{ id: 'x', max_limit: 1 } as never], rateLimits: [] })[0]?.field, 'reset_duration',
    'a budget without a duration is reported too');
});

test('startup with bad stored durations: warned once each, entities loaded, listings answer 200 with problems', async () => {
  const warnings: Array<{ obj: object; msg?: string }> = [];
  const logger: Logger = { debug() {}, info() {}, error() {}, warn: (obj, msg) => { warnings.push({ obj, msg }); } };
  const governance = await createGovernance({
    governance: {}, repository: repository(), pricing: { price: () => undefined },
    client: () => ({ enforce_governance_header: false, enforce_auth_on_inference: false }),
    clock: systemClock, random: systemRandom, logger,
  });
  try {
    const durationWarnings = warnings.filter((w) => /stored duration is invalid/.test(w.msg ?? ''));
    assert.deepEqual(durationWarnings.map((w) => (w.obj as { id: string; field: string }).id), ['b-bad', 'r-bad']);
    assert.equal((durationWarnings[0]!.obj as { value: string }).value, '99999999999999h');

    const keys = governance.admin.listVirtualKeys();
    assert.equal(keys.status, 200);
    const vk = (keys as { body: { virtual_keys: Array<Record<string, any>> } }).body.virtual_keys[0]!;
    assert.match(vk.rate_limit.problems[0], /^token_reset_duration: invalid duration "soon"/);
    assert.equal(vk.budgets[0].problems, undefined, 'a good budget has no problems');
    const teams = governance.admin.listTeams() as { status: number; body: { teams: Array<Record<string, any>> } };
    assert.equal(teams.status, 200);
    assert.match(teams.body.teams[0]!.budget.problems[0], /^reset_duration: .*too long/);
    assert.equal(governance.admin.listBudgets().status, 200);
    assert.equal(governance.admin.listRateLimits().status, 200);
  } finally {
    await governance.plugin.close?.();
  }
});

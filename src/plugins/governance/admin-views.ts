// How governance entities look in admin API responses (Bifrost's field names): budgets and rate
// limits expanded with their live usage from the counters, virtual key values masked except in
// the response that creates the key. A listing never fails because of one entity: a duration a
// store holds from an older version is shown as stored with a `problems` entry, and a time that is
// not a representable date is shown as null.
import type { UsageCounters } from '../../core/index.js';
import { budgetKey, requestKey, tokenKey, type WindowCache } from './limits.js';
import { durationProblemsOf, type DurationOwner } from './stored-durations.js';
import { budgetIdsOf, type Budget, type Customer, type GovernanceState, type RateLimit, type Team, type VirtualKey } from './state.js';

export interface ViewDeps {
  state: GovernanceState;
  counters: UsageCounters;
  windows: WindowCache;
  now: () => number;
}

const iso = (ms: number): string | null => {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
};

/** `out` plus `problems` (`field: reason; how it is enforced`) when a stored duration is bad. */
function withProblems(out: Record<string, unknown>, entity: DurationOwner, row: object): Record<string, unknown> {
  const problems = durationProblemsOf(entity, row)
    .map((p) => `${p.field}: ${p.problem}; enforced as a window that never resets until it is corrected`);
  return problems.length > 0 ? { ...out, problems } : out;
}

export function budgetView(deps: ViewDeps, budget: Budget): Record<string, unknown> {
  const r = deps.counters.read(budgetKey(budget.id), deps.windows.budget(budget), deps.now());
  return withProblems({
    id: budget.id, max_limit: budget.max_limit, reset_duration: budget.reset_duration,
    calendar_aligned: budget.calendar_aligned ?? false, current_usage: r.used, last_reset: iso(r.windowStart),
    next_reset: iso(r.nextReset),
  }, 'budget', budget);
}

export function rateLimitView(deps: ViewDeps, rl: RateLimit): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: rl.id,
    token_max_limit: rl.token_max_limit ?? null, token_reset_duration: rl.token_reset_duration ?? null,
    request_max_limit: rl.request_max_limit ?? null, request_reset_duration: rl.request_reset_duration ?? null,
    token_current_usage: 0, request_current_usage: 0,
  };
  const now = deps.now();
  if (rl.token_reset_duration) {
    const r = deps.counters.read(tokenKey(rl.id), deps.windows.get(rl.token_reset_duration), now);
    Object.assign(out, { token_current_usage: r.used, token_last_reset: iso(r.windowStart) });
  }
  if (rl.request_reset_duration) {
    const r = deps.counters.read(requestKey(rl.id), deps.windows.get(rl.request_reset_duration), now);
    Object.assign(out, { request_current_usage: r.used, request_last_reset: iso(r.windowStart) });
  }
  return withProblems(out, 'rate_limit', rl);
}

function owned(deps: ViewDeps, entity: { budget_id?: string | null; budget_ids?: string[] | undefined; rate_limit_id?: string | null }) {
  const budgets = budgetIdsOf(entity).map((id) => deps.state.budgets.get(id)).filter((b): b is Budget => !!b)
    .map((b) => budgetView(deps, b));
  const rl = entity.rate_limit_id ? deps.state.rateLimits.get(entity.rate_limit_id) : undefined;
  return {
    budget_id: budgets[0]?.id ?? null, budget: budgets[0] ?? null, budgets,
    rate_limit_id: rl?.id ?? null, rate_limit: rl ? rateLimitView(deps, rl) : null,
  };
}

export function maskValue(value: string): string {
  return value.length <= 10 ? '****' : `${value.slice(0, 6)}${'*'.repeat(8)}${value.slice(-4)}`;
}

export function customerView(deps: ViewDeps, c: Customer): Record<string, unknown> {
  const teams = [...deps.state.teams.values()].filter((t) => t.customer_id === c.id).map((t) => ({ id: t.id, name: t.name }));
  return { id: c.id, name: c.name, ...owned(deps, c), teams };
}

export function teamView(deps: ViewDeps, t: Team): Record<string, unknown> {
  const customer = t.customer_id ? deps.state.customers.get(t.customer_id) : undefined;
  return { id: t.id, name: t.name, customer_id: t.customer_id ?? null, customer: customer ? { id: customer.id, name: customer.name } : null, ...owned(deps, t) };
}

export function virtualKeyView(deps: ViewDeps, vk: VirtualKey, reveal = false): Record<string, unknown> {
  const team = vk.team_id ? deps.state.teams.get(vk.team_id) : undefined;
  const customer = vk.customer_id ? deps.state.customers.get(vk.customer_id) : undefined;
  return {
    id: vk.id, name: vk.name, value: reveal ? vk.value : maskValue(vk.value), description: vk.description ?? '',
    is_active: vk.is_active, team_id: vk.team_id ?? null, customer_id: vk.customer_id ?? null,
    team: team ? { id: team.id, name: team.name } : null, customer: customer ? { id: customer.id, name: customer.name } : null,
    allow_all_providers: vk.allow_all_providers ?? false, expires_at: vk.expires_at ?? null,
    ...owned(deps, vk),
    provider_configs: vk.provider_configs.map((pc) => ({
      id: pc.id, provider: pc.provider, weight: pc.weight, allowed_models: pc.allowed_models ?? ['*'],
      blacklisted_models: pc.blacklisted_models ?? [], key_ids: pc.key_ids ?? ['*'], ...owned(deps, pc),
    })),
  };
}

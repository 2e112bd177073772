// Admission and reconciliation against the usage counters. A request is checked level by level in
// Bifrost's order — every rate limit first (provider config → VK → team → customer), then every
// budget — and, if it passes, reserves its estimate (1 request, estimated tokens, estimated cost)
// on every limit at once. Reconciliation releases the reservation and charges actual usage. Since
// a limit admits only while used + reserved is below its cap, concurrent requests overshoot it by
// at most one request's estimate (when estimates are not below actual usage).
import type { CounterLimit, Reservation, UsageCounters } from '../../core/index.js';
import type { Budget, RateLimit } from './state.js';
import { governanceErrors } from './errors.js';
import { budgetKey, requestKey, tokenKey, type LimitPlan, type Scope, type WindowCache } from './limits.js';
import type { GatewayError } from '../../core/index.js';

export interface Estimate {
  tokens: number;
  cost: number;
}

export interface Charge {
  requests: number;
  tokens: number;
  cost: number;
}

/** Dollar sums accumulate float error; a nano-dollar tolerance keeps 10 × $0.02 at a $0.20 cap. */
const BUDGET_TOLERANCE = 1e-9;

const LEVEL_NAME: Record<Scope['level'], string> = {
  provider: 'provider config', virtual_key: 'virtual key', team: 'team', customer: 'customer',
};

/** The counter limits a request reserves on, in check order (rate limits, then budgets). */
export function limitsFor(scopes: readonly Scope[], windows: WindowCache, estimate: Estimate): CounterLimit[] {
  const limits: CounterLimit[] = [];
  for (const scope of scopes) {
    const rl = scope.rateLimit;
    if (!rl) continue;
    if (rl.request_max_limit != null && rl.request_reset_duration) {
      limits.push({ key: windows.keysOf(rl.id).requests, window: windows.get(rl.request_reset_duration), max: rl.request_max_limit, amount: 1 });
    }
    if (rl.token_max_limit != null && rl.token_reset_duration) {
      limits.push({ key: windows.keysOf(rl.id).tokens, window: windows.get(rl.token_reset_duration), max: rl.token_max_limit, amount: estimate.tokens });
    }
  }
  for (const scope of scopes) {
    for (const budget of scope.budgets) {
      limits.push({ key: windows.keysOf(budget.id).budget, window: windows.budget(budget), max: budget.max_limit, amount: estimate.cost });
    }
  }
  return limits;
}

/** Checks every level and reserves; returns the reservation or Bifrost's error for the first level hit. */
export function admit(counters: UsageCounters, scopes: readonly Scope[], options: {
  windows: WindowCache; estimate: Estimate; now: number;
}): { reservation: Reservation } | { error: GatewayError } {
  const { windows, now } = options;
  for (const scope of scopes) {
    const rl = scope.rateLimit;
    if (!rl) continue;
    let hits: string[] | undefined;
    let tokenHit = false;
    let requestHit = false;
    if (rl.token_max_limit != null && rl.token_reset_duration) {
      const r = counters.read(windows.keysOf(rl.id).tokens, windows.get(rl.token_reset_duration), now);
      if (r.used + r.reserved >= rl.token_max_limit) {
        tokenHit = true;
        (hits ??= []).push(`token limit exceeded (${Math.round(r.used + r.reserved)}/${rl.token_max_limit}, resets every ${rl.token_reset_duration})`);
      }
    }
    if (rl.request_max_limit != null && rl.request_reset_duration) {
      const r = counters.read(windows.keysOf(rl.id).requests, windows.get(rl.request_reset_duration), now);
      if (r.used + r.reserved >= rl.request_max_limit) {
        requestHit = true;
        (hits ??= []).push(`request limit exceeded (${r.used + r.reserved}/${rl.request_max_limit}, resets every ${rl.request_reset_duration})`);
      }
    }
    if (hits) {
      const type = tokenHit && requestHit ? 'rate_limited' : tokenHit ? 'token_limited' : 'request_limited';
      return { error: governanceErrors.rateLimited(type, `${LEVEL_NAME[scope.level]} rate limits exceeded: ${hits.join('; ')}`, scope.level === 'provider') };
    }
  }
  for (const scope of scopes) {
    for (const budget of scope.budgets) {
      const r = counters.read(windows.keysOf(budget.id).budget, windows.budget(budget), now);
      if (r.used + r.reserved + BUDGET_TOLERANCE >= budget.max_limit) {
        return { error: governanceErrors.budgetExceeded(
          `${LEVEL_NAME[scope.level]} budget exceeded: ${formatUsd(r.used + r.reserved)} >= ${formatUsd(budget.max_limit)} dollars (budget ${budget.id}, resets every ${budget.reset_duration})`,
          scope.level === 'provider') };
      }
    }
  }
  const outcome = counters.reserve(limitsFor(scopes, windows, options.estimate), now);
  if (outcome.ok) return { reservation: outcome.reservation };
  // Unreachable on one thread (we just checked), but a replicated implementation may disagree.
  return { error: outcome.limit.key.startsWith('budget:')
    ? governanceErrors.budgetExceeded(`budget exceeded: ${formatUsd(outcome.reading.used)} >= ${formatUsd(outcome.limit.max)} dollars`)
    : governanceErrors.rateLimited('rate_limited', `rate limit exceeded on ${outcome.limit.key}`) };
}

/**
 * `admit` for a precompiled plan, in one pass over the counters: a single `reserve` whose caps
 * are the same thresholds `admit` checks (a budget's minus its tolerance), so it succeeds exactly
 * when every level has room. Only a refusal goes through `admit`, which reads the levels in
 * Bifrost's order to name the one that was hit.
 */
export function admitPlanned(counters: UsageCounters, plan: LimitPlan, windows: WindowCache,
  tokens: number, cost: number, now: number): Reservation | { error: GatewayError } {
  const planned = plan.limits;
  const limits: CounterLimit[] = new Array<CounterLimit>(planned.length);
  for (let i = 0; i < planned.length; i++) {
    const p = planned[i]!;
    let max: number;
    let amount: number;
    if (p.kind === 'budget') {
      max = (p.owner as Budget).max_limit - BUDGET_TOLERANCE;
      amount = cost;
    } else if (p.kind === 'requests') {
      max = (p.owner as RateLimit).request_max_limit ?? Infinity;
      amount = 1;
    } else {
      max = (p.owner as RateLimit).token_max_limit ?? Infinity;
      amount = tokens;
    }
    limits[i] = { key: p.key, window: p.window, max, amount };
  }
  const outcome = counters.reserve(limits, now);
  if (outcome.ok) return outcome.reservation;
  const out = admit(counters, plan.scopes, { windows, estimate: { tokens, cost }, now });
  return 'error' in out ? out : out.reservation;
}

/**
 * `reconcile` for a reservation made with `plan` and served under the same plan (the usual case:
 * no fallback to another provider config), where every counter charged is one the reservation
 * holds; other cases go through `reconcile`.
 */
export function settlePlanned(counters: UsageCounters, reservation: Reservation, plan: LimitPlan,
  requests: number, tokens: number, cost: number, now: number): void {
  const actual: Record<string, number> = {};
  for (const p of plan.limits) actual[p.key] = p.kind === 'budget' ? cost : p.kind === 'requests' ? requests : tokens;
  counters.settle(reservation, actual, now);
}

/** Actual amounts per counter key for the levels a request was served under. */
export function chargesFor(scopes: readonly Scope[], charge: Charge, windows?: WindowCache): Record<string, number> {
  const out: Record<string, number> = {};
  for (const scope of scopes) {
    if (scope.rateLimit) {
      const keys = windows ? windows.keysOf(scope.rateLimit.id) : undefined;
      out[keys?.requests ?? requestKey(scope.rateLimit.id)] = charge.requests;
      out[keys?.tokens ?? tokenKey(scope.rateLimit.id)] = charge.tokens;
    }
    for (const budget of scope.budgets) out[windows ? windows.keysOf(budget.id).budget : budgetKey(budget.id)] = charge.cost;
  }
  return out;
}

/** Settles a reservation; charges to limits the reservation did not cover (e.g. a fallback's) are added. */
export function reconcile(counters: UsageCounters, reservation: Reservation, options: {
  scopes: readonly Scope[]; windows: WindowCache; charge: Charge; now: number;
}): void {
  const { windows, now } = options;
  const actual = chargesFor(options.scopes, options.charge, windows);
  counters.settle(reservation, actual, now);
  // A reservation holds a handful of limits: a scan beats building a set per request.
  const holds = reservation.holds;
  const unheld = (key: string): boolean => {
    for (const hold of holds) if (hold.key === key) return false;
    return true;
  };
  for (const scope of options.scopes) {
    const rl = scope.rateLimit;
    if (rl) {
      const keys = windows.keysOf(rl.id);
      if (rl.request_max_limit != null && rl.request_reset_duration && unheld(keys.requests)) {
        counters.add(keys.requests, windows.get(rl.request_reset_duration), actual[keys.requests] ?? 0, now);
      }
      if (rl.token_max_limit != null && rl.token_reset_duration && unheld(keys.tokens)) {
        counters.add(keys.tokens, windows.get(rl.token_reset_duration), actual[keys.tokens] ?? 0, now);
      }
    }
  }
  for (const scope of options.scopes) {
    for (const budget of scope.budgets) {
      const key = windows.keysOf(budget.id).budget;
      if (unheld(key)) counters.add(key, windows.budget(budget), actual[key] ?? 0, now);
    }
  }
}

function formatUsd(value: number): string {
  return value.toFixed(6).replace(/0+$/, '').replace(/\.$/, '.0');
}

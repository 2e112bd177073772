// Admission and reconciliation against the usage counters. A request is checked level by level in
// Bifrost's order — every rate limit first (provider config → VK → team → customer), then every
// budget — and, if it passes, reserves its estimate (1 request, estimated tokens, estimated cost)
// on every limit at once. Reconciliation releases the reservation and charges actual usage. Since
// a limit admits only while used + reserved is below its cap, concurrent requests overshoot it by
// at most one request's estimate (when estimates are not below actual usage).
import type { CounterLimit, Reservation, UsageCounters } from '../../core/index.js';
import { governanceErrors } from './errors.js';
import { budgetKey, requestKey, tokenKey, type Scope, type WindowCache } from './limits.js';
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
      limits.push({ key: requestKey(rl.id), window: windows.get(rl.request_reset_duration), max: rl.request_max_limit, amount: 1 });
    }
    if (rl.token_max_limit != null && rl.token_reset_duration) {
      limits.push({ key: tokenKey(rl.id), window: windows.get(rl.token_reset_duration), max: rl.token_max_limit, amount: estimate.tokens });
    }
  }
  for (const scope of scopes) {
    for (const budget of scope.budgets) {
      limits.push({ key: budgetKey(budget.id), window: windows.budget(budget), max: budget.max_limit, amount: estimate.cost });
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
    const hits: string[] = [];
    let tokenHit = false;
    let requestHit = false;
    if (rl.token_max_limit != null && rl.token_reset_duration) {
      const r = counters.read(tokenKey(rl.id), windows.get(rl.token_reset_duration), now);
      if (r.used + r.reserved >= rl.token_max_limit) {
        tokenHit = true;
        hits.push(`token limit exceeded (${Math.round(r.used + r.reserved)}/${rl.token_max_limit}, resets every ${rl.token_reset_duration})`);
      }
    }
    if (rl.request_max_limit != null && rl.request_reset_duration) {
      const r = counters.read(requestKey(rl.id), windows.get(rl.request_reset_duration), now);
      if (r.used + r.reserved >= rl.request_max_limit) {
        requestHit = true;
        hits.push(`request limit exceeded (${r.used + r.reserved}/${rl.request_max_limit}, resets every ${rl.request_reset_duration})`);
      }
    }
    if (hits.length > 0) {
      const type = tokenHit && requestHit ? 'rate_limited' : tokenHit ? 'token_limited' : 'request_limited';
      return { error: governanceErrors.rateLimited(type, `${LEVEL_NAME[scope.level]} rate limits exceeded: ${hits.join('; ')}`, scope.level === 'provider') };
    }
  }
  for (const scope of scopes) {
    for (const budget of scope.budgets) {
      const r = counters.read(budgetKey(budget.id), windows.budget(budget), now);
      // Dollar sums accumulate float error; a nano-dollar tolerance keeps 10 × $0.02 at a $0.20 cap.
      if (r.used + r.reserved + 1e-9 >= budget.max_limit) {
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

/** Actual amounts per counter key for the levels a request was served under. */
export function chargesFor(scopes: readonly Scope[], charge: Charge): Record<string, number> {
  const out: Record<string, number> = {};
  for (const scope of scopes) {
    if (scope.rateLimit) {
      out[requestKey(scope.rateLimit.id)] = charge.requests;
      out[tokenKey(scope.rateLimit.id)] = charge.tokens;
    }
    for (const budget of scope.budgets) out[budgetKey(budget.id)] = charge.cost;
  }
  return out;
}

/** Settles a reservation; charges to limits the reservation did not cover (e.g. a fallback's) are added. */
export function reconcile(counters: UsageCounters, reservation: Reservation, options: {
  scopes: readonly Scope[]; windows: WindowCache; charge: Charge; now: number;
}): void {
  const actual = chargesFor(options.scopes, options.charge);
  counters.settle(reservation, actual, options.now);
  const held = new Set(reservation.holds.map((h) => h.key));
  for (const limit of limitsFor(options.scopes, options.windows, { tokens: 0, cost: 0 })) {
    if (!held.has(limit.key)) counters.add(limit.key, limit.window, actual[limit.key] ?? 0, options.now);
  }
}

function formatUsd(value: number): string {
  return value.toFixed(6).replace(/0+$/, '').replace(/\.$/, '.0');
}

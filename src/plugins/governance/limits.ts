// Maps governance entities onto usage counters: which counter keys a budget or rate limit owns,
// their windows (parsed once and cached per duration), and the scope chain a request is checked
// and charged against — provider config → virtual key → team → customer, Bifrost's order.
import type { CounterWindow } from '../../core/index.js';
import { mustParseDuration } from './windows/duration.js';
import { makeWindow } from './windows/window.js';
import { budgetIdsOf, type Budget, type GovernanceState, type ProviderConfig, type RateLimit, type VirtualKey } from './state.js';

export type Level = 'provider' | 'virtual_key' | 'team' | 'customer';

export interface Scope {
  level: Level;
  rateLimit: RateLimit | undefined;
  budgets: Budget[];
}

export const budgetKey = (id: string): string => `budget:${id}`;
export const tokenKey = (id: string): string => `rl:${id}:tokens`;
export const requestKey = (id: string): string => `rl:${id}:requests`;

export class WindowCache {
  private readonly windows = new Map<string, CounterWindow>();
  /** Counter keys by entity id: the same string each time, so counter lookups hash it once. */
  private readonly keys = new Map<string, { requests: string; tokens: string; budget: string }>();

  /** Cached `requestKey`/`tokenKey`/`budgetKey` of an entity id. */
  keysOf(id: string): { requests: string; tokens: string; budget: string } {
    let keys = this.keys.get(id);
    if (!keys) {
      keys = { requests: requestKey(id), tokens: tokenKey(id), budget: budgetKey(id) };
      // Ids come from admin-managed entities; the bound only guards against churn.
      if (this.keys.size >= 100_000) this.keys.clear();
      this.keys.set(id, keys);
    }
    return keys;
  }

  get(duration: string, calendarAligned = false): CounterWindow {
    const cacheKey = `${duration}|${calendarAligned}`;
    let window = this.windows.get(cacheKey);
    if (!window) {
      window = makeWindow(mustParseDuration(duration, { allowQuarter: true }), { calendarAligned });
      this.windows.set(cacheKey, window);
    }
    return window;
  }

  budget(budget: Budget, vk?: VirtualKey): CounterWindow {
    return this.get(budget.reset_duration, budget.calendar_aligned ?? vk?.calendar_aligned ?? false);
  }
}

/** The levels a request on `vk` through `pc` is checked against, in Bifrost's order. */
export function scopeChain(state: GovernanceState, vk: VirtualKey, pc: ProviderConfig | undefined): Scope[] {
  const scopes: Scope[] = [];
  const add = (level: Level, owner: { budget_id?: string | null; budget_ids?: string[] | undefined; rate_limit_id?: string | null }) => {
    const rateLimit = owner.rate_limit_id ? state.rateLimits.get(owner.rate_limit_id) : undefined;
    const budgets: Budget[] = [];
    if (owner.budget_id || (owner.budget_ids && owner.budget_ids.length > 0)) {
      for (const id of budgetIdsOf(owner)) {
        const budget = state.budgets.get(id);
        if (budget) budgets.push(budget);
      }
    }
    if (rateLimit || budgets.length > 0) scopes.push({ level, rateLimit, budgets });
  };
  if (pc) add('provider', pc);
  add('virtual_key', vk);
  const team = vk.team_id ? state.teams.get(vk.team_id) : undefined;
  if (team) add('team', team);
  const customerId = vk.customer_id ?? team?.customer_id;
  const customer = customerId ? state.customers.get(customerId) : undefined;
  if (customer) add('customer', customer);
  return scopes;
}

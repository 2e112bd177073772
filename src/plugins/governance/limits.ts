// Maps governance entities onto usage counters: which counter keys a budget or rate limit owns,
// their windows (parsed once and cached per duration), and the scope chain a request is checked
// and charged against — provider config → virtual key → team → customer, Bifrost's order.
import type { CounterWindow } from '../../core/index.js';
import { readStoredDuration } from './windows/duration.js';
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

  /**
   * Inputs are validated, but a store may hold a duration an older version let through: that one
   * gets the longest window (see readStoredDuration) rather than an exception on every request
   * and listing that touches the limit. The admin views report it.
   */
  get(duration: string, calendarAligned = false): CounterWindow {
    const cacheKey = `${duration}|${calendarAligned}`;
    let window = this.windows.get(cacheKey);
    if (!window) {
      window = makeWindow(readStoredDuration(duration).duration, { calendarAligned });
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

/** One counter a request reserves on, resolved once per plan: its key, window and owning entity. */
export interface PlannedLimit {
  kind: 'requests' | 'tokens' | 'budget';
  key: string;
  window: CounterWindow;
  /** Caps are read from the entity on each request, so an edit in place still applies. */
  owner: RateLimit | Budget;
}

/** The scope chain of a (virtual key, provider config) pair and its counters, in reserve order. */
export interface LimitPlan {
  scopes: Scope[];
  limits: PlannedLimit[];
}

/** The plan of `scopes`: rate-limit counters of every level first, then every budget (admission order). */
export function planOf(scopes: Scope[], windows: WindowCache): LimitPlan {
  const limits: PlannedLimit[] = [];
  for (const scope of scopes) {
    const rl = scope.rateLimit;
    if (!rl) continue;
    const keys = windows.keysOf(rl.id);
    if (rl.request_max_limit != null && rl.request_reset_duration) {
      limits.push({ kind: 'requests', key: keys.requests, window: windows.get(rl.request_reset_duration), owner: rl });
    }
    if (rl.token_max_limit != null && rl.token_reset_duration) {
      limits.push({ kind: 'tokens', key: keys.tokens, window: windows.get(rl.token_reset_duration), owner: rl });
    }
  }
  for (const scope of scopes) {
    for (const budget of scope.budgets) {
      limits.push({ kind: 'budget', key: windows.keysOf(budget.id).budget, window: windows.budget(budget), owner: budget });
    }
  }
  return { scopes, limits };
}

/** What a virtual key resolves to for one provider: its config (null/undefined as providerConfigFor) and plan. */
export interface ProviderPlan {
  pc: ProviderConfig | null | undefined;
  /** Undefined when the provider is not allowed (pc undefined). */
  plan: LimitPlan | undefined;
}

/**
 * Per virtual key and provider, the provider config and limit plan, rebuilt when the state's
 * version moves. Saves the request path from re-walking VK → team → customer, re-reading the
 * budget/rate-limit maps and re-deriving counter keys and windows on every request.
 */
export class PlanCache {
  private readonly byKey = new WeakMap<VirtualKey, PlanEntry>();

  constructor(private readonly state: GovernanceState, private readonly windows: WindowCache,
    private readonly resolve: (vk: VirtualKey, provider: string) => ProviderConfig | null | undefined) {}

  get(vk: VirtualKey, provider: string): ProviderPlan {
    const entry = this.entry(vk);
    let found = entry.byProvider.get(provider);
    if (!found) {
      const pc = this.resolve(vk, provider);
      found = { pc, plan: pc === undefined ? undefined : planOf(scopeChain(this.state, vk, pc ?? undefined), this.windows) };
      // Providers come from the request; the bound only guards against a caller cycling names.
      if (entry.byProvider.size >= 1_000) entry.byProvider.clear();
      entry.byProvider.set(provider, found);
    }
    return found;
  }

  /** The plan of `pc`'s own limits only: what bare-model routing checks a config's room against. */
  configOnly(vk: VirtualKey, pc: ProviderConfig): LimitPlan {
    const entry = this.entry(vk);
    let plan = entry.byConfig.get(pc);
    if (!plan) {
      plan = planOf(scopeChain(this.state, vk, pc).filter((s) => s.level === 'provider'), this.windows);
      entry.byConfig.set(pc, plan);
    }
    return plan;
  }

  /** `vk.expires_at` in epoch ms (NaN when unparseable), parsed once per distinct value. */
  expiresAt(vk: VirtualKey, text: string): number {
    const entry = this.entry(vk);
    if (entry.expiresText !== text) {
      entry.expiresText = text;
      entry.expiresAt = Date.parse(text);
    }
    return entry.expiresAt;
  }

  private entry(vk: VirtualKey): PlanEntry {
    let entry = this.byKey.get(vk);
    if (!entry || entry.version !== this.state.version) {
      entry = { version: this.state.version, byProvider: new Map(), byConfig: new Map(), expiresText: undefined, expiresAt: Number.NaN };
      this.byKey.set(vk, entry);
    }
    return entry;
  }
}

interface PlanEntry {
  version: number;
  byProvider: Map<string, ProviderPlan>;
  byConfig: Map<ProviderConfig, LimitPlan>;
  expiresText: string | undefined;
  expiresAt: number;
}

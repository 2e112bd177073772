// The governance entities held in memory — the source of truth for every admission decision
// (DESIGN.md: governance decisions read in-memory state only). Virtual keys are indexed by the
// SHA-256 of their value, the form the config store keeps, so a lookup never needs the plaintext
// of stored keys. Mutations validate references (a VK's team must exist, ...) and return a reason
// instead of throwing, so the admin API can answer 400/404 precisely.
import { createHash, randomBytes } from 'node:crypto';
import type {
  BudgetConfig, CustomerConfig, GovernanceConfig, ProviderConfigConfig, RateLimitConfig, TeamConfig, VirtualKeyConfig,
} from './config-schema.js';

export type Budget = BudgetConfig;
export type RateLimit = RateLimitConfig;
export type Customer = CustomerConfig;
export type Team = TeamConfig;
export interface ProviderConfig extends ProviderConfigConfig { id: string }
export interface VirtualKey extends Omit<VirtualKeyConfig, 'provider_configs' | 'value'> {
  value: string;
  provider_configs: ProviderConfig[];
}

/** The entity lists of a `governance` block. */
export type GovernanceEntities = Pick<GovernanceConfig, 'budgets' | 'rate_limits' | 'customers' | 'teams' | 'virtual_keys'>;

export const VK_PREFIX = 'sk-bf-';

export function hashVirtualKey(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function generateVirtualKeyValue(): string {
  return `${VK_PREFIX}${randomBytes(24).toString('base64url')}`;
}

/** Owned budget ids, whichever of Bifrost's two spellings the entity used. */
export function budgetIdsOf(entity: { budget_id?: string | null; budget_ids?: string[] | undefined }): string[] {
  const ids = [...(entity.budget_ids ?? [])];
  if (entity.budget_id && !ids.includes(entity.budget_id)) ids.unshift(entity.budget_id);
  return ids;
}

export type Mutation = { ok: true } | { ok: false; status: 400 | 404 | 409; message: string };

const notFound = (what: string, id: string): Mutation => ({ ok: false, status: 404, message: `${what} ${id} not found` });
const bad = (message: string): Mutation => ({ ok: false, status: 400, message });

export class GovernanceState {
  readonly budgets = new Map<string, Budget>();
  readonly rateLimits = new Map<string, RateLimit>();
  readonly customers = new Map<string, Customer>();
  readonly teams = new Map<string, Team>();
  readonly virtualKeys = new Map<string, VirtualKey>();
  private readonly byHash = new Map<string, string>();
  /** Presented value → id, so the hot path hashes each distinct key once; cleared on any VK change. */
  private readonly byValue = new Map<string, string>();
  private revision = 0;

  /**
   * Bumped by every mutation below, so derived data (the plugin's per-key limit plans) can tell
   * it is stale without re-walking the entities on each request. Mutate through these methods.
   */
  get version(): number {
    return this.revision;
  }

  /** Loads a whole `governance` block; returns the problems of entities that were skipped. */
  loadConfig(config: GovernanceEntities): string[] {
    const problems: string[] = [];
    const collect = (what: string, id: string, result: Mutation) => {
      if (!result.ok) problems.push(`governance ${what} ${id}: ${result.message}`);
    };
    for (const b of config.budgets) collect('budget', b.id, this.putBudget(b));
    for (const r of config.rate_limits) collect('rate_limit', r.id, this.putRateLimit(r));
    for (const c of config.customers) collect('customer', c.id, this.putCustomer(c));
    for (const t of config.teams) collect('team', t.id, this.putTeam(t));
    for (const v of config.virtual_keys) collect('virtual_key', v.id, this.putVirtualKey(v));
    return problems;
  }

  /**
   * Cluster config sync: replaces every entity with `config` (the stored ones, after another
   * replica wrote) in one synchronous step, so a request sees the old entities or the new ones.
   * Usage counters live elsewhere and are not touched. Returns the problems of skipped entities.
   */
  replaceAll(config: GovernanceEntities): string[] {
    this.revision++;
    this.budgets.clear();
    this.rateLimits.clear();
    this.customers.clear();
    this.teams.clear();
    this.virtualKeys.clear();
    this.byHash.clear();
    this.byValue.clear();
    return this.loadConfig(config);
  }

  findByValue(value: string): VirtualKey | undefined {
    let id = this.byValue.get(value);
    if (id === undefined) {
      id = this.byHash.get(hashVirtualKey(value));
      if (id === undefined) return undefined;
      if (this.byValue.size >= 10_000) this.byValue.clear();
      this.byValue.set(value, id);
    }
    return this.virtualKeys.get(id);
  }

  putBudget(budget: Budget): Mutation {
    this.revision++;
    this.budgets.set(budget.id, budget);
    return { ok: true };
  }

  putRateLimit(rateLimit: RateLimit): Mutation {
    this.revision++;
    this.rateLimits.set(rateLimit.id, rateLimit);
    return { ok: true };
  }

  putCustomer(customer: Customer): Mutation {
    const refs = this.checkOwned(customer);
    if (!refs.ok) return refs;
    this.revision++;
    this.customers.set(customer.id, customer);
    return { ok: true };
  }

  putTeam(team: Team): Mutation {
    if (team.customer_id && !this.customers.has(team.customer_id)) return bad(`customer ${team.customer_id} does not exist`);
    const refs = this.checkOwned(team);
    if (!refs.ok) return refs;
    this.revision++;
    this.teams.set(team.id, team);
    return { ok: true };
  }

  putVirtualKey(input: VirtualKeyConfig): Mutation {
    if (input.team_id && !this.teams.has(input.team_id)) return bad(`team ${input.team_id} does not exist`);
    if (input.customer_id && !this.customers.has(input.customer_id)) return bad(`customer ${input.customer_id} does not exist`);
    const refs = this.checkOwned(input);
    if (!refs.ok) return refs;
    const previous = this.virtualKeys.get(input.id);
    const value = input.value ?? previous?.value ?? generateVirtualKeyValue();
    const holder = this.byHash.get(hashVirtualKey(value));
    if (holder !== undefined && holder !== input.id) return { ok: false, status: 409, message: 'virtual key value already in use' };
    const providerConfigs: ProviderConfig[] = [];
    for (const [index, pc] of input.provider_configs.entries()) {
      const pcRefs = this.checkOwned(pc);
      if (!pcRefs.ok) return pcRefs;
      providerConfigs.push({ ...pc, id: pc.id === undefined ? `${input.id}#${index}` : String(pc.id) });
    }
    this.revision++;
    if (previous) this.byHash.delete(hashVirtualKey(previous.value));
    this.byValue.clear();
    this.virtualKeys.set(input.id, { ...input, value, provider_configs: providerConfigs });
    this.byHash.set(hashVirtualKey(value), input.id);
    return { ok: true };
  }

  deleteVirtualKey(id: string): Mutation {
    const vk = this.virtualKeys.get(id);
    if (!vk) return notFound('virtual key', id);
    this.revision++;
    this.byHash.delete(hashVirtualKey(vk.value));
    this.byValue.clear();
    this.virtualKeys.delete(id);
    return { ok: true };
  }

  deleteTeam(id: string): Mutation {
    if (!this.teams.has(id)) return notFound('team', id);
    this.revision++;
    for (const vk of this.virtualKeys.values()) if (vk.team_id === id) vk.team_id = null;
    this.teams.delete(id);
    return { ok: true };
  }

  deleteCustomer(id: string): Mutation {
    if (!this.customers.has(id)) return notFound('customer', id);
    this.revision++;
    for (const team of this.teams.values()) if (team.customer_id === id) team.customer_id = null;
    for (const vk of this.virtualKeys.values()) if (vk.customer_id === id) vk.customer_id = null;
    this.customers.delete(id);
    return { ok: true };
  }

  /** Drops a budget (the admin service removes unreferenced ones); false when it did not exist. */
  deleteBudget(id: string): boolean {
    this.revision++;
    return this.budgets.delete(id);
  }

  deleteRateLimit(id: string): boolean {
    this.revision++;
    return this.rateLimits.delete(id);
  }

  /** Budgets and rate limits no entity references any more (after a delete or an update). */
  unreferenced(): { budgets: string[]; rateLimits: string[] } {
    const budgets = new Set<string>();
    const rateLimits = new Set<string>();
    const visit = (e: { budget_id?: string | null; budget_ids?: string[] | undefined; rate_limit_id?: string | null }) => {
      for (const b of budgetIdsOf(e)) budgets.add(b);
      if (e.rate_limit_id) rateLimits.add(e.rate_limit_id);
    };
    for (const c of this.customers.values()) visit(c);
    for (const t of this.teams.values()) visit(t);
    for (const v of this.virtualKeys.values()) {
      visit(v);
      for (const pc of v.provider_configs) visit(pc);
    }
    return {
      budgets: [...this.budgets.keys()].filter((b) => !budgets.has(b)),
      rateLimits: [...this.rateLimits.keys()].filter((r) => !rateLimits.has(r)),
    };
  }

  private checkOwned(entity: { budget_id?: string | null; budget_ids?: string[] | undefined; rate_limit_id?: string | null }): Mutation {
    for (const b of budgetIdsOf(entity)) if (!this.budgets.has(b)) return bad(`budget ${b} does not exist`);
    if (entity.rate_limit_id && !this.rateLimits.has(entity.rate_limit_id)) {
      return bad(`rate limit ${entity.rate_limit_id} does not exist`);
    }
    return { ok: true };
  }
}

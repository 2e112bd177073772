// The logic behind /api/governance/*: validates bodies, turns nested budgets and rate limits into
// entities, applies the change to the in-memory state (so the next request sees it) and persists
// it through the repository. Answers are transport-neutral `{status, body}` or `{status, error}`.
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { UsageCounters } from '../../core/index.js';
import { invalidPatterns } from './access.js';
import * as S from './admin-schemas.js';
import { budgetView, customerView, rateLimitView, teamView, virtualKeyView, type ViewDeps } from './admin-views.js';
import { budgetKey, requestKey, tokenKey, type WindowCache } from './limits.js';
import type { GovernanceRepository } from './repository.js';
import { budgetIdsOf, type Budget, type GovernanceState, type Mutation, type RateLimit } from './state.js';

export type AdminResult =
  | { status: number; body: unknown }
  | { status: number; error: { type: string; message: string } };

export interface AdminDeps {
  state: GovernanceState;
  counters: UsageCounters;
  windows: WindowCache;
  repository: GovernanceRepository | undefined;
  now: () => number;
}

const invalid = (message: string): AdminResult => ({ status: 400, error: { type: 'invalid_request_error', message } });
const failed = (m: Mutation & { ok: false }): AdminResult => ({ status: m.status, error: { type: m.status === 404 ? 'not_found' : 'invalid_request_error', message: m.message } });

function parse<T extends z.ZodType>(schema: T, body: unknown): { data: z.infer<T> } | { result: AdminResult } {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return { data: parsed.data };
  const issue = parsed.error.issues[0];
  return { result: invalid(`${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`) };
}

type Owner = { budget_id?: string | null; budget_ids?: string[] | undefined; rate_limit_id?: string | null };

export class GovernanceAdmin {
  private readonly views: ViewDeps;

  constructor(private readonly deps: AdminDeps) {
    this.views = { state: deps.state, counters: deps.counters, windows: deps.windows, now: deps.now };
  }

  // Writes run one at a time, and never while a cluster config reload replaces the entities: a
  // write changes the state, then stores it; a reload in between would drop the change here.
  private turn: Promise<unknown> = Promise.resolve();

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.turn.then(fn);
    this.turn = run.catch(() => undefined);
    return run;
  }

  createVirtualKey(body: unknown): Promise<AdminResult> {
    return this.exclusive(() => this.createVirtualKeyNow(body));
  }

  updateVirtualKey(id: string, body: unknown): Promise<AdminResult> {
    return this.exclusive(() => this.updateVirtualKeyNow(id, body));
  }

  deleteVirtualKey(id: string): Promise<AdminResult> {
    return this.exclusive(() => this.deleteVirtualKeyNow(id));
  }

  writeTeam(id: string | undefined, body: unknown): Promise<AdminResult> {
    return this.exclusive(() => this.writeTeamNow(id, body));
  }

  deleteTeam(id: string): Promise<AdminResult> {
    return this.exclusive(() => this.deleteTeamNow(id));
  }

  writeCustomer(id: string | undefined, body: unknown): Promise<AdminResult> {
    return this.exclusive(() => this.writeCustomerNow(id, body));
  }

  deleteCustomer(id: string): Promise<AdminResult> {
    return this.exclusive(() => this.deleteCustomerNow(id));
  }

  /**
   * Cluster config sync: replaces the in-memory entities with the stored ones (another replica
   * wrote), between two local writes. Usage counters are kept. Returns the problems of entities
   * that were skipped (a dangling reference), as startup would log them.
   */
  reload(): Promise<string[]> {
    return this.exclusive(async () => {
      const repository = this.deps.repository;
      if (!repository) return [];
      const s = await repository.loadAll({ usage: false });
      return this.deps.state.replaceAll({ budgets: s.budgets, rate_limits: s.rateLimits, customers: s.customers, teams: s.teams, virtual_keys: s.virtualKeys });
    });
  }

  listVirtualKeys(): AdminResult {
    const list = [...this.deps.state.virtualKeys.values()].map((vk) => virtualKeyView(this.views, vk));
    return { status: 200, body: { virtual_keys: list, count: list.length } };
  }

  getVirtualKey(id: string): AdminResult {
    const vk = this.deps.state.virtualKeys.get(id);
    return vk ? { status: 200, body: { virtual_key: virtualKeyView(this.views, vk) } } : failed({ ok: false, status: 404, message: `virtual key ${id} not found` });
  }

  private async createVirtualKeyNow(body: unknown): Promise<AdminResult> {
    return this.writeVirtualKey(undefined, body);
  }

  private async updateVirtualKeyNow(id: string, body: unknown): Promise<AdminResult> {
    if (!this.deps.state.virtualKeys.has(id)) return failed({ ok: false, status: 404, message: `virtual key ${id} not found` });
    return this.writeVirtualKey(id, body);
  }

  private async deleteVirtualKeyNow(id: string): Promise<AdminResult> {
    const m = this.deps.state.deleteVirtualKey(id);
    if (!m.ok) return failed(m);
    await this.deps.repository?.deleteVirtualKey(id);
    await this.collectGarbage();
    return { status: 200, body: { message: 'Virtual key deleted successfully' } };
  }

  listTeams(): AdminResult {
    const teams = [...this.deps.state.teams.values()].map((t) => teamView(this.views, t));
    return { status: 200, body: { teams, count: teams.length } };
  }

  getTeam(id: string): AdminResult {
    const t = this.deps.state.teams.get(id);
    return t ? { status: 200, body: { team: teamView(this.views, t) } } : failed({ ok: false, status: 404, message: `team ${id} not found` });
  }

  private async writeTeamNow(id: string | undefined, body: unknown): Promise<AdminResult> {
    const previous = id ? this.deps.state.teams.get(id) : undefined;
    if (id && !previous) return failed({ ok: false, status: 404, message: `team ${id} not found` });
    const p = parse(id ? S.teamUpdate : S.teamCreate, body);
    if ('result' in p) return p.result;
    const team = { id: id ?? randomUUID(), name: p.data.name ?? previous?.name ?? '',
      customer_id: p.data.customer_id === undefined ? previous?.customer_id : p.data.customer_id,
      ...(await this.ownedFrom(previous ?? {}, p.data)) };
    const m = this.deps.state.putTeam(team);
    if (!m.ok) return failed(m);
    await this.deps.repository?.saveTeam(team);
    await this.collectGarbage();
    return { status: id ? 200 : 201, body: { message: `Team ${id ? 'updated' : 'created'} successfully`, team: teamView(this.views, team) } };
  }

  private async deleteTeamNow(id: string): Promise<AdminResult> {
    const m = this.deps.state.deleteTeam(id);
    if (!m.ok) return failed(m);
    await this.deps.repository?.deleteTeam(id);
    for (const vk of this.deps.state.virtualKeys.values()) if (vk.team_id === null) await this.deps.repository?.saveVirtualKey(vk);
    await this.collectGarbage();
    return { status: 200, body: { message: 'Team deleted successfully' } };
  }

  listCustomers(): AdminResult {
    const customers = [...this.deps.state.customers.values()].map((c) => customerView(this.views, c));
    return { status: 200, body: { customers, count: customers.length } };
  }

  getCustomer(id: string): AdminResult {
    const c = this.deps.state.customers.get(id);
    return c ? { status: 200, body: { customer: customerView(this.views, c) } } : failed({ ok: false, status: 404, message: `customer ${id} not found` });
  }

  private async writeCustomerNow(id: string | undefined, body: unknown): Promise<AdminResult> {
    const previous = id ? this.deps.state.customers.get(id) : undefined;
    if (id && !previous) return failed({ ok: false, status: 404, message: `customer ${id} not found` });
    const p = parse(id ? S.customerUpdate : S.customerCreate, body);
    if ('result' in p) return p.result;
    const customer = { id: id ?? randomUUID(), name: p.data.name ?? previous?.name ?? '', ...(await this.ownedFrom(previous ?? {}, p.data)) };
    const m = this.deps.state.putCustomer(customer);
    if (!m.ok) return failed(m);
    await this.deps.repository?.saveCustomer(customer);
    await this.collectGarbage();
    return { status: id ? 200 : 201, body: { message: `Customer ${id ? 'updated' : 'created'} successfully`, customer: customerView(this.views, customer) } };
  }

  private async deleteCustomerNow(id: string): Promise<AdminResult> {
    const m = this.deps.state.deleteCustomer(id);
    if (!m.ok) return failed(m);
    await this.deps.repository?.deleteCustomer(id);
    await this.collectGarbage();
    return { status: 200, body: { message: 'Customer deleted successfully' } };
  }

  listBudgets(): AdminResult {
    const budgets = [...this.deps.state.budgets.values()].map((b) => budgetView(this.views, b));
    return { status: 200, body: { budgets, count: budgets.length } };
  }

  listRateLimits(): AdminResult {
    const rateLimits = [...this.deps.state.rateLimits.values()].map((r) => rateLimitView(this.views, r));
    return { status: 200, body: { rate_limits: rateLimits, count: rateLimits.length } };
  }

  /** Self-service quota: what the presented VK may still spend and send. */
  quota(vkValue: string | undefined): AdminResult {
    if (!vkValue) return { status: 401, error: { type: 'virtual_key_required', message: 'a virtual key is required (x-bf-vk or Authorization: Bearer sk-bf-...)' } };
    const vk = this.deps.state.findByValue(vkValue);
    if (!vk) return { status: 403, error: { type: 'virtual_key_not_found', message: 'virtual key not found' } };
    const view = virtualKeyView(this.views, vk);
    return { status: 200, body: { virtual_key_id: vk.id, name: vk.name, is_active: vk.is_active, budgets: view.budgets, rate_limit: view.rate_limit,
      provider_configs: (view.provider_configs as Record<string, unknown>[]).map((pc) => ({ provider: pc.provider, budgets: pc.budgets, rate_limit: pc.rate_limit })) } };
  }

  private async writeVirtualKey(id: string | undefined, body: unknown): Promise<AdminResult> {
    const previous = id ? this.deps.state.virtualKeys.get(id) : undefined;
    const p = parse(id ? S.vkUpdate : S.vkCreate, body);
    if ('result' in p) return p.result;
    const d = p.data;
    for (const pc of d.provider_configs ?? []) {
      const bad = [...invalidPatterns(pc.allowed_models), ...invalidPatterns(pc.blacklisted_models)];
      if (bad.length > 0) return invalid(`provider_configs: invalid regex ${bad.join(', ')}`);
    }
    const vkId = id ?? randomUUID();
    const providerConfigs = [];
    for (const [index, pc] of (d.provider_configs ?? previous?.provider_configs ?? []).entries()) {
      const old = previous?.provider_configs.find((o) => o.provider === pc.provider);
      const nested = 'budget' in pc || 'rate_limit' in pc ? await this.ownedFrom(old ?? {}, pc as S.PcInput) : { budget_ids: old?.budget_ids, budget_id: old?.budget_id, rate_limit_id: old?.rate_limit_id };
      providerConfigs.push({ id: String(pc.id ?? old?.id ?? `${vkId}#${index}`), provider: pc.provider, weight: pc.weight,
        allowed_models: pc.allowed_models, blacklisted_models: pc.blacklisted_models, key_ids: pc.key_ids, ...nested });
    }
    const vk = {
      id: vkId, name: d.name ?? previous?.name ?? '', value: d.value ?? previous?.value,
      description: d.description ?? previous?.description, is_active: d.is_active ?? previous?.is_active ?? true,
      team_id: d.team_id === undefined ? previous?.team_id : d.team_id,
      customer_id: d.customer_id === undefined ? previous?.customer_id : d.customer_id,
      allow_all_providers: d.allow_all_providers ?? previous?.allow_all_providers,
      expires_at: d.expires_at === undefined ? previous?.expires_at : d.expires_at,
      calendar_aligned: d.calendar_aligned ?? previous?.calendar_aligned,
      provider_configs: providerConfigs,
      ...(await this.ownedFrom(previous ?? {}, d)),
    };
    if (vk.team_id && vk.customer_id) return invalid('a virtual key belongs to a team or a customer, not both');
    const m = this.deps.state.putVirtualKey(vk);
    if (!m.ok) return failed(m);
    const stored = this.deps.state.virtualKeys.get(vkId);
    if (!stored) return failed({ ok: false, status: 404, message: `virtual key ${vkId} not found` });
    if ('reset_budget_usage' in d && d.reset_budget_usage) for (const b of budgetIdsOf(stored)) this.deps.counters.reset(budgetKey(b));
    await this.deps.repository?.saveVirtualKey(stored);
    await this.collectGarbage();
    return { status: id ? 200 : 201, body: { message: `Virtual key ${id ? 'updated' : 'created'} successfully`, virtual_key: virtualKeyView(this.views, stored, !id) } };
  }

  /** Budget and rate-limit references after applying nested `budget`/`budgets`/`rate_limit` inputs. */
  private async ownedFrom(previous: Owner, input: { budget?: S.BudgetInput | null; budgets?: S.BudgetInput[]; rate_limit?: S.RateLimitInput | null; reset_budget_usage?: boolean }): Promise<Owner> {
    let budgetIds = budgetIdsOf(previous);
    if (input.budgets !== undefined) {
      budgetIds = [];
      for (const b of input.budgets) budgetIds.push(await this.saveBudget(undefined, b));
    } else if (input.budget === null) {
      budgetIds = budgetIds.slice(1);
    } else if (input.budget) {
      const first = budgetIds[0];
      budgetIds = [await this.saveBudget(first, input.budget), ...budgetIds.slice(1)];
    }
    if (input.reset_budget_usage) for (const b of budgetIds) this.deps.counters.reset(budgetKey(b));
    let rateLimitId = previous.rate_limit_id ?? null;
    if (input.rate_limit === null) rateLimitId = null;
    else if (input.rate_limit) rateLimitId = await this.saveRateLimit(rateLimitId ?? undefined, input.rate_limit);
    return { budget_ids: budgetIds, budget_id: budgetIds[0] ?? null, rate_limit_id: rateLimitId };
  }

  private async saveBudget(id: string | undefined, input: S.BudgetInput): Promise<string> {
    const budget: Budget = { id: id ?? randomUUID(), max_limit: input.max_limit, reset_duration: input.reset_duration, calendar_aligned: input.calendar_aligned };
    this.deps.state.putBudget(budget);
    await this.deps.repository?.saveBudget(budget);
    return budget.id;
  }

  private async saveRateLimit(id: string | undefined, input: S.RateLimitInput): Promise<string> {
    const rl: RateLimit = { id: id ?? randomUUID(), ...input };
    this.deps.state.putRateLimit(rl);
    await this.deps.repository?.saveRateLimit(rl);
    return rl.id;
  }

  private async collectGarbage(): Promise<void> {
    const { budgets, rateLimits } = this.deps.state.unreferenced();
    for (const id of budgets) {
      this.deps.state.deleteBudget(id);
      this.deps.counters.reset(budgetKey(id));
      await this.deps.repository?.deleteBudget(id);
    }
    for (const id of rateLimits) {
      this.deps.state.deleteRateLimit(id);
      this.deps.counters.reset(tokenKey(id));
      this.deps.counters.reset(requestKey(id));
      await this.deps.repository?.deleteRateLimit(id);
    }
  }
}

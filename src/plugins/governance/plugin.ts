// The governance plugin: the pre-hook admits (virtual key → provider/model filters → rate limits →
// budgets, Bifrost's order) and reserves the request's estimate; the post-hook reconciles actual
// usage for responses and wraps streams to meter them; `request.end` settles whatever is still
// open (a backstop for streams the transport abandoned). Only in-memory state is read here.
import type {
  ClientConfig, Clock, InferenceRequest, Logger, Plugin, PostHookInput, PreHookOutcome, Random,
  RequestContext, Reservation, UsageCounters, Usage, GatewayEvent,
} from '../../core/index.js';
import { ALLOWED_KEY_IDS } from '../../core/index.js';
import { allowedKeyIds, modelAllowedBy, PatternCache, providerConfigFor, virtualKeyFromHeaders, type AllowListOptions } from './access.js';
import { admitPlanned, reconcile, settlePlanned } from './admission.js';
import { GOVERNANCE_PLUGIN, type GovernancePluginConfig } from './config-schema.js';
import { governanceErrors } from './errors.js';
import { estimatePromptTokens, parseUsage, requestedCompletionTokens } from './estimate.js';
import { PlanCache, scopeChain, WindowCache, type LimitPlan } from './limits.js';
import { routeBareModel } from './routing.js';
import type { GovernanceState, VirtualKey } from './state.js';
import { meterStream, StreamMeter } from './stream-meter.js';


/** Per-token prices; satisfied by src/pricing's PriceBook. */
export interface ModelPricing {
  price(provider: string, model: string): { input_cost_per_token: number; output_cost_per_token: number; cache_read_input_token_cost?: number } | undefined;
}

export interface GovernancePluginDeps {
  state: GovernanceState;
  counters: UsageCounters;
  pricing: ModelPricing;
  config: GovernancePluginConfig;
  /** Current client flags (enforce_governance_header, enforce_auth_on_inference). */
  client: () => Pick<ClientConfig, 'enforce_governance_header' | 'enforce_auth_on_inference'>;
  /** governance.auth_config.disable_auth_on_inference. */
  disableAuthOnInference?: boolean;
  /** config.json `version: 1`: empty allow-lists allow everything. */
  emptyAllowsAll?: boolean;
  clock: Clock;
  random: Random;
  logger: Logger;
  onClose?: () => Promise<void>;
}

type Price = ReturnType<ModelPricing['price']>;

interface Pending {
  vk: VirtualKey;
  reservation: Reservation | undefined;
  /** The plan the reservation was made under, and the target it was priced for. */
  plan: LimitPlan;
  provider: string;
  model: string;
  price: Price;
  promptEstimate: number;
  /** Set when the result is a stream. */
  meter: StreamMeter | undefined;
  settled: boolean;
}

export interface GovernancePlugin extends Plugin {
  readonly windows: WindowCache;
  readonly allowList: AllowListOptions;
  /** Resolves a bare model through the VK's provider configs (HTTP interceptor and pre-hook). */
  resolveBareModel(vkValue: string, model: string): { target: string; fallbacks: string[] } | undefined;
  /** Cluster config sync's handle on the entities; set by createGovernance when they are stored. */
  entitySync?: GovernanceEntitySync;
}

/** What cluster config sync needs to keep the in-memory entities in step with the store. */
export interface GovernanceEntitySync {
  /** The stored entity version the in-memory entities reflect (-1: must reload). */
  applied(): number;
  /** Reloads the entities from the store between two local writes; usage counters are kept. */
  reload(): Promise<void>;
}

/** What a stream without reported usage is billed: a usage chunk it passed, else its produced content. */
function meteredUsage(pending: Pending): Usage | undefined {
  if (!pending.meter) return undefined;
  const { usage, producedChars } = pending.meter.measure();
  if (usage) return usage;
  if (producedChars === 0) return undefined;
  const completion = Math.ceil(producedChars / 4);
  return { prompt_tokens: pending.promptEstimate, completion_tokens: completion, total_tokens: pending.promptEstimate + completion };
}

/** USD for token counts at `price` (0 when the model is not priced); cached tokens at the cache-read price. */
function tokensCost(price: Price, prompt: number, cachedPrompt: number, completion: number): number {
  if (!price) return 0;
  const cached = Math.min(cachedPrompt, prompt);
  return (prompt - cached) * price.input_cost_per_token
    + cached * (price.cache_read_input_token_cost ?? price.input_cost_per_token)
    + completion * price.output_cost_per_token;
}

export function createGovernancePlugin(deps: GovernancePluginDeps): GovernancePlugin {
  const { state, counters, pricing, config, clock, logger } = deps;
  const windows = new WindowCache();
  const allowList: AllowListOptions = { emptyAllowsAll: deps.emptyAllowsAll ?? false, patterns: new PatternCache() };

  const mandatory = () => {
    const client = deps.client();
    return config.is_vk_mandatory || client.enforce_governance_header
      || (client.enforce_auth_on_inference && !deps.disableAuthOnInference);
  };

  const plans = new PlanCache(state, windows, (vk, provider) => providerConfigFor(vk, provider, allowList));

  /** Whether a provider config's own limits have room (bare-model routing skips full ones). */
  const hasRoom = (vk: VirtualKey) => (pc: VirtualKey['provider_configs'][number]) => {
    const now = clock.now();
    const out = admitPlanned(counters, plans.configOnly(vk, pc), windows, 0, 0, now);
    if (!('holds' in out)) return false;
    counters.settle(out, {}, now);
    return true;
  };

  const costOf = (provider: string, model: string, usage: Usage): number => costAt(pricing.price(provider, model), usage);
  const costAt = (price: Price, usage: Usage): number =>
    tokensCost(price, usage.prompt_tokens, usage.cached_prompt_tokens ?? 0, usage.completion_tokens);

  const settle = (pending: Pending, served: { provider: string; model: string }, usage: Usage | undefined, succeeded: boolean) => {
    if (pending.settled) return;
    pending.settled = true;
    if (!pending.reservation) return;
    const billed = usage ?? meteredUsage(pending);
    // The price looked up at admission serves unless a fallback answered.
    const sameTarget = served.provider === pending.provider && served.model === pending.model;
    const requests = succeeded || billed ? 1 : 0;
    const tokens = billed?.total_tokens ?? 0;
    const cost = billed ? (sameTarget ? costAt(pending.price, billed) : costOf(served.provider, served.model, billed)) : 0;
    try {
      // Served under the plan it was admitted with (no fallback to another config, no admin edit
      // meanwhile): every counter to charge is one the reservation holds.
      if (plans.get(pending.vk, served.provider).plan === pending.plan) {
        settlePlanned(counters, pending.reservation, pending.plan, requests, tokens, cost, clock.now());
      } else {
        const charge = { requests, tokens, cost };
        const pc = providerConfigFor(pending.vk, served.provider, allowList) ?? undefined;
        const scopes = scopeChain(state, pending.vk, pc);
        reconcile(counters, pending.reservation, { scopes, windows, charge, now: clock.now() });
      }
    } catch (error) {
      logger.error({ err: error, vk: pending.vk.id }, 'governance: failed to record usage');
    }
  };

  return {
    name: GOVERNANCE_PLUGIN,
    keepsBody: true,
    // Only the end settles anything; other events would be built for nothing.
    observes: ['request.end'],
    windows,
    allowList,

    resolveBareModel(vkValue, model) {
      const vk = state.findByValue(vkValue);
      if (!vk || vk.provider_configs.length === 0) return undefined;
      const route = routeBareModel(vk, model, { ...allowList, random: deps.random, hasRoom: hasRoom(vk) });
      if (!route) return undefined;
      return {
        target: `${route.target.provider}/${route.target.model}`,
        fallbacks: route.fallbacks.map((f) => `${f.provider}/${f.model}`),
      };
    },

    preHook(request: InferenceRequest, ctx: RequestContext): PreHookOutcome {
      if (config.required_headers.length > 0) {
        const missing = config.required_headers.filter((h) => !ctx.headers[h.toLowerCase()]);
        if (missing.length > 0) return { error: governanceErrors.missingHeaders(missing) };
      }
      const value = virtualKeyFromHeaders(ctx.headers);
      if (!value) return mandatory() ? { error: governanceErrors.virtualKeyRequired() } : undefined;
      const vk = state.findByValue(value);
      if (!vk) return { error: governanceErrors.notFound() };
      ctx.values.set('governance.virtual_key', { id: vk.id, name: vk.name }); // for request logs, refusals included
      if (!vk.is_active) return { error: governanceErrors.blocked('inactive') };
      if (vk.expires_at && plans.expiresAt(vk, vk.expires_at) <= clock.now()) return { error: governanceErrors.blocked('expired') };

      if (!request.target.provider) {
        const route = routeBareModel(vk, request.target.model, { ...allowList, random: deps.random, hasRoom: hasRoom(vk) });
        if (!route) return { error: governanceErrors.noProvider(request.target.model) };
        request.target = route.target;
        if (request.fallbacks.length === 0) request.fallbacks = route.fallbacks;
      }
      const { provider, model } = request.target;
      const { pc, plan } = plans.get(vk, provider);
      if (pc === undefined || !plan) return { error: governanceErrors.providerBlocked(provider) };
      if (pc && !modelAllowedBy(pc, model, allowList)) return { error: governanceErrors.modelBlocked(model) };
      // A fallback the VK may not use would be refused anyway; drop it rather than fail late.
      if (request.fallbacks.length > 0) {
        request.fallbacks = request.fallbacks.filter((f) => {
          const fpc = plans.get(vk, f.provider).pc;
          return fpc === null || (fpc !== undefined && modelAllowedBy(fpc, f.model, allowList));
        });
      }

      const promptEstimate = estimatePromptTokens(request.body);
      const completion = request.requestType === 'embedding' ? 0
        : requestedCompletionTokens(request.body) ?? config.default_completion_tokens_estimate;
      const price = pricing.price(provider, model);
      let reservation: Reservation | undefined;
      try {
        const out = admitPlanned(counters, plan, windows, promptEstimate + completion,
          tokensCost(price, promptEstimate, 0, completion), clock.now());
        // A reservation (it has holds, whatever else a counters implementation puts on it) or a refusal.
        if (!('holds' in out)) return { error: out.error };
        reservation = out;
      } catch (error) {
        logger.error({ err: error, vk: vk.id, policy: config.counter_failure_policy }, 'governance: usage counters failed');
        if (config.counter_failure_policy === 'fail_closed') return { error: governanceErrors.unavailable() };
      }

      const keyIds = allowedKeyIds(pc, allowList);
      if (keyIds) ctx.values.set(ALLOWED_KEY_IDS, keyIds);
      ctx.values.set(GOVERNANCE_PLUGIN, {
        vk, reservation, plan, provider, model, price, promptEstimate, meter: undefined, settled: false,
      } satisfies Pending);
      return undefined;
    },

    postHook(request: InferenceRequest, outcome: PostHookInput, ctx: RequestContext): PostHookInput {
      const pending = ctx.values.get(GOVERNANCE_PLUGIN) as Pending | undefined;
      if (!pending || pending.settled) return outcome;
      const result = outcome.result;
      if (!result) {
        settle(pending, request.target, undefined, false);
        return outcome;
      }
      const served = { provider: result.servedBy.provider, model: result.servedBy.model };
      if (result.kind === 'response') {
        settle(pending, served, result.usage ?? parseUsage(result.body.usage), true);
        return outcome;
      }
      // The engine always asks streaming upstreams for usage and hands it over in `request.end`
      // (dropping the usage-only chunk for callers that did not ask), so the meter's events are
      // only looked into for streams that end without usage (cut short).
      pending.meter = new StreamMeter();
      const events = meterStream(result.events, pending.meter, () => settle(pending, served, undefined, true));
      return { ...outcome, result: { ...result, events } };
    },

    observe(event: GatewayEvent) {
      if (event.type !== 'request.end') return;
      const pending = event.summary.ctx.values.get(GOVERNANCE_PLUGIN) as Pending | undefined;
      if (!pending || pending.settled) return;
      const served = event.summary.servedBy ?? event.summary.request.target;
      settle(pending, served, event.summary.usage, event.summary.status === 'success');
    },

    async close() {
      await deps.onClose?.();
    },
  };
}

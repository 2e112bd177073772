// Assembles governance for main.ts: loads persisted entities and usage from the repository,
// reconciles config.json's `governance` block on top (file entities seed or update rows, rows
// created through the API are kept — Bifrost's "split" source of truth), and wires the plugin,
// the admin service and the background usage flusher around one counters instance.
import { InMemoryUsageCounters, type ClientConfig, type Clock, type Logger, type Random, type UsageCounters } from '../../core/index.js';
import { GovernanceAdmin } from './admin-service.js';
import { governanceConfigSchema, governancePluginConfigSchema, type GovernanceConfig } from './config-schema.js';
import { UsageFlusher } from './flusher.js';
import { createGovernancePlugin, type GovernancePlugin, type ModelPricing } from './plugin.js';
import type { GovernanceRepository } from './repository.js';
import { GovernanceState } from './state.js';
import { storedDurationProblems } from './stored-durations.js';

export interface GovernanceOptions {
  /** config.json's `governance` block (unparsed). */
  governance: unknown;
  /** The governance entry's `config` from config.json's `plugins` (unparsed). */
  pluginConfig?: unknown;
  repository?: GovernanceRepository;
  /** Defaults to in-memory counters; cluster mode passes replicated ones. */
  counters?: UsageCounters;
  pricing: ModelPricing;
  client: () => Pick<ClientConfig, 'enforce_governance_header' | 'enforce_auth_on_inference'>;
  /** config.json `version` (1 = empty allow-lists allow all). */
  configVersion?: number;
  clock: Clock;
  random: Random;
  logger: Logger;
}

export interface Governance {
  plugin: GovernancePlugin;
  admin: GovernanceAdmin;
  state: GovernanceState;
  counters: UsageCounters;
  /** Writes pending usage now (tests, admin); the flusher also runs every flush_interval_ms. */
  flush(): Promise<void>;
}

export async function createGovernance(options: GovernanceOptions): Promise<Governance> {
  const parsedConfig = governanceConfigSchema.safeParse(options.governance ?? {});
  if (!parsedConfig.success) {
    const issue = parsedConfig.error.issues[0];
    throw new Error(`governance.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  const pluginConfig = governancePluginConfigSchema.parse(options.pluginConfig ?? {});
  const config: GovernanceConfig = parsedConfig.data;
  const state = new GovernanceState();
  const counters = options.counters ?? new InMemoryUsageCounters();
  const repository = options.repository;

  if (repository) {
    const snapshot = await repository.loadAll();
    const problems = state.loadConfig({
      budgets: snapshot.budgets, rate_limits: snapshot.rateLimits, customers: snapshot.customers,
      teams: snapshot.teams, virtual_keys: snapshot.virtualKeys,
    });
    for (const p of problems) options.logger.warn({ problem: p }, 'governance: stored entity skipped');
    for (const p of storedDurationProblems(snapshot)) {
      options.logger.warn(p, 'governance: stored duration is invalid; the limit is kept and enforced as a window that never resets until it is corrected');
    }
    counters.load(snapshot.usage);
  }
  const problems = state.loadConfig(config);
  if (problems.length > 0) throw new Error(problems.join('; '));
  if (repository) {
    for (const b of config.budgets) await repository.saveBudget(b);
    for (const r of config.rate_limits) await repository.saveRateLimit(r);
    for (const c of config.customers) await repository.saveCustomer(c);
    for (const t of config.teams) await repository.saveTeam(t);
    for (const v of config.virtual_keys) {
      const stored = state.virtualKeys.get(v.id);
      if (stored) await repository.saveVirtualKey(stored);
    }
  }

  const flusher = repository
    ? new UsageFlusher(counters, repository, { intervalMs: pluginConfig.flush_interval_ms, logger: options.logger })
    : undefined;
  flusher?.start();

  const plugin = createGovernancePlugin({
    state, counters, pricing: options.pricing, config: pluginConfig, client: options.client,
    disableAuthOnInference: config.auth_config?.disable_auth_on_inference,
    emptyAllowsAll: options.configVersion === 1,
    clock: options.clock, random: options.random, logger: options.logger,
    onClose: async () => { await flusher?.stop(); },
  });
  const admin = new GovernanceAdmin({ state, counters, windows: plugin.windows, repository, now: () => options.clock.now() });
  const versioned = repository?.appliedVersion ? repository : undefined;
  if (versioned) {
    plugin.entitySync = {
      applied: () => versioned.appliedVersion?.() ?? 0,
      reload: async () => {
        for (const p of await admin.reload()) options.logger.warn({ problem: p }, 'governance: stored entity skipped');
      },
    };
  }
  return { plugin, admin, state, counters, flush: () => flusher?.flush() ?? Promise.resolve() };
}

// Governance wiring: virtual keys, teams, customers, budgets and rate limits as the first plugin
// (it admits or refuses before anything else runs), plus /api/governance/*. On unless
// `client.enable_governance` is false or its plugins entry is disabled. Entities and usage live in
// the config store's database, sealed with the store's cipher; in file-only mode governance runs
// from config.json in memory.
import { systemClock, systemRandom, type UsageCounters } from '../core/index.js';
import type { Database } from '../storage/database.js';
import type { ModelPricing } from '../plugins/governance/index.js';
import type { ConfigStorage } from '../storage/bootstrap.js';
import { takePending, type WiringContext } from './context.js';
import { GOVERNANCE_PLUGIN } from './plugins.js';

/** Cluster mode's shared counters, built once the governance store's tables exist. */
export type CountersFactory = (database: Database) => Promise<UsageCounters>;

export async function wireGovernance(w: WiringContext, storage: ConfigStorage, pricing: ModelPricing, sharedCounters?: CountersFactory): Promise<void> {
  const config = w.loaded.config;
  const pending = takePending(w.plugins, GOVERNANCE_PLUGIN);
  const disabled = config.plugins.some((p) => p.name === GOVERNANCE_PLUGIN && !p.enabled);
  if (!config.client.enable_governance || disabled) return;
  // Loaded only when governance is on: a gateway without it keeps none of its modules resident.
  const [{ createGovernance }, { GovernanceStore }, { bareModelInterceptor, governanceRoutes }] = await Promise.all([
    import('../plugins/governance/index.js'),
    import('../storage/governance/index.js'),
    import('../transports/http/governance/index.js'),
  ]);
  const repository = storage.database
    ? await GovernanceStore.open(storage.database, { cipher: storage.service.cipher })
    : undefined;
  const counters = sharedCounters && storage.database ? await sharedCounters(storage.database) : undefined;
  const governance = await createGovernance({
    ...(counters ? { counters } : {}),
    governance: config.governance, pluginConfig: pending.config, repository, pricing,
    client: () => w.holder.current().client, configVersion: config.version,
    clock: systemClock, random: systemRandom, logger: w.logger,
  });
  w.plugins.unshift(governance.plugin);
  w.routes.push(governanceRoutes({ admin: governance.admin, plugin: governance.plugin }));
  w.inferenceInterceptors.push(bareModelInterceptor(governance.plugin));
}

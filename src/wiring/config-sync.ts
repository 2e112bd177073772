// Config sync wiring (issue #21): replicas sharing a PostgreSQL config store serve each other's
// admin writes — providers, keys, plugins, client and auth config through the config service (and
// so the ConfigHolder and live plugins), virtual keys, teams, customers, budgets and rate limits
// through the governance plugin's entities (usage counters are kept). On by default when the
// config store is PostgreSQL; `enabled: true` also polls a SQLite file shared by processes.
// main.ts calls this after wireGovernance (it needs the governance plugin in the chain).
import type { GovernancePlugin } from '../plugins/governance/plugin.js';
import type { ConfigStorage } from '../storage/bootstrap.js';
import type { ConfigSync, ConfigSyncOptions } from '../storage/config-sync/index.js';
import type { WiringContext } from './context.js';
import { GOVERNANCE_PLUGIN } from './plugins.js';

export interface ConfigSyncWiringOptions extends Pick<ConfigSyncOptions, 'pollIntervalMs' | 'listen' | 'reconnect' | 'channel' | 'topic' | 'node' | 'onChange'> {
  /** Default: on for a PostgreSQL config store, off otherwise. */
  enabled?: boolean;
}

export async function wireConfigSync(w: WiringContext, storage: ConfigStorage, options: ConfigSyncWiringOptions = {}): Promise<ConfigSync | undefined> {
  const { database } = storage;
  if (!database || !(options.enabled ?? database.kind === 'postgres')) return undefined;
  const { startConfigSync } = await import('../storage/config-sync/index.js');
  const governance = w.plugins.find((p) => p.name === GOVERNANCE_PLUGIN) as GovernancePlugin | undefined;
  const { enabled: _enabled, ...rest } = options;
  const sync = await startConfigSync({ ...rest, database, config: storage.service, governance: governance?.entitySync, logger: w.logger });
  w.closers.push(() => sync.close());
  return sync;
}

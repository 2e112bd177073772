// Storage wiring: opens the config store (config.json reconciled into SQLite or PostgreSQL, or
// file-only mode), keeps the live ConfigHolder in step with it, registers the admin API and the
// /health pings of the config and logs stores. Returns the store so governance can share its
// database and cipher (one connection, one key derivation per process).
import { logsStoreHealthCheck, openConfigStorage, storeHealthCheck, type ConfigStorage } from '../storage/bootstrap.js';
import { BIFROST_TS_VERSION } from '../storage/version.js';
import { adminRoutes } from '../transports/http/admin/index.js';
import type { WiringContext } from './context.js';
import { builtinPluginFactories, validatePluginConfig } from './plugins.js';

export async function wireStorage(w: WiringContext): Promise<ConfigStorage> {
  const storage = await openConfigStorage({ loaded: w.loaded, env: w.env, appDir: w.appDir, logger: w.logger });
  w.closers.push(() => storage.close());
  w.holder.replace(storage.service.current().config);
  storage.service.subscribe((snapshot) => w.holder.replace(snapshot.config));
  const factories = builtinPluginFactories();
  w.routes.push(adminRoutes({
    service: storage.service, sessions: storage.sessions, env: w.env, version: `v${BIFROST_TS_VERSION}`, logger: w.logger,
    validatePlugin: (name, config) => validatePluginConfig(factories, name, config),
  }));
  if (storage.database) w.healthChecks.push(storeHealthCheck('config_store', storage.database, w.holder));
  const logsHealth = await logsStoreHealthCheck({ loaded: w.loaded, env: w.env, appDir: w.appDir, logger: w.logger, config: w.holder });
  if (logsHealth) {
    w.healthChecks.push(logsHealth.check);
    w.closers.push(() => logsHealth.close());
  }
  return storage;
}

// Opens the config store the way Bifrost does from config.json's `config_store` block — SQLite
// `<appDir>/config.db` when the block is absent, PostgreSQL when configured, none (file-only mode)
// when `enabled: false` or when there is no app dir to put a database in — and hands back the
// config service, the health check that pings it, and how to close it. main.ts calls this once.
// The database layer (kysely and a driver) is imported only when a block names a store to open.
import type { Env, LoadedConfig } from '../config/index.js';
import type { ConfigSource, Logger } from '../core/index.js';
import { silentLogger } from '../core/index.js';
import { ConfigService } from './config-store/service.js';
import { SessionStore } from './config-store/sessions.js';
import type { Database } from './database.js';
import { parseStoreBlock } from './store-block.js';

export interface StorageOptions {
  loaded: LoadedConfig;
  env: Env;
  /** Where `config.db` lives by default; without it and without a `config_store` block → file-only. */
  appDir?: string | undefined;
  logger?: Logger;
}

export interface StoreHealthCheck {
  name: string;
  check(): Promise<void>;
}

export interface ConfigStorage {
  service: ConfigService;
  sessions: SessionStore;
  database: Database | undefined;
  close(): Promise<void>;
}

/** `/health` check pinging a store, skipped while `client.disable_db_pings_in_health` is on. */
export function storeHealthCheck(name: string, database: Database, config: ConfigSource): StoreHealthCheck {
  return {
    name,
    async check() {
      if (config.current().client.disable_db_pings_in_health) return;
      try {
        await database.ping(2_000);
      } catch (error) {
        throw new Error(`${name} unreachable (${database.describe()}): ${(error as Error).message}`, { cause: error });
      }
    },
  };
}

/**
 * A `/health` check for a PostgreSQL logs store, on its own one-connection pool (the logs store's
 * pool belongs to the logging plugin). SQLite logs live in a local file: nothing to ping.
 */
export async function logsStoreHealthCheck(options: StorageOptions & { config: ConfigSource }): Promise<{ check: StoreHealthCheck; close(): Promise<void> } | undefined> {
  const { config } = options.loaded;
  const block = config.logs_store;
  if (block === undefined || !config.client.enable_logging) return undefined;
  const spec = parseStoreBlock(block, { name: 'logs_store', appDir: options.appDir ?? process.cwd(), defaultFile: 'logs.db' });
  if (spec?.type !== 'postgres') return undefined;
  const { openDatabase } = await import('./database.js');
  const database = openDatabase({ type: 'postgres', config: { ...spec.config, max_open_conns: 1, max_idle_conns: 0 } }, { logger: options.logger ?? silentLogger });
  return { check: storeHealthCheck('logs_store', database, options.config), close: () => database.close() };
}

export async function openConfigStorage(options: StorageOptions): Promise<ConfigStorage> {
  const logger = options.logger ?? silentLogger;
  const { config } = options.loaded;
  const block = config.config_store;
  const spec = block === undefined && options.appDir === undefined
    ? undefined
    : parseStoreBlock(block, { name: 'config_store', appDir: options.appDir ?? process.cwd(), defaultFile: 'config.db' });
  if (!spec) logger.info({}, 'config store disabled: configuration comes from config.json only (API edits are refused)');
  const database = spec ? (await import('./database.js')).openDatabase(spec, { logger }) : undefined;
  const encryptionKey = config.encryption_key || options.env.BIFROST_ENCRYPTION_KEY || undefined;
  try {
    const service = await ConfigService.open({ file: options.loaded, env: options.env, database, encryptionKey, logger });
    return { service, sessions: new SessionStore(database), database, close: async () => database?.close() };
  } catch (error) {
    await database?.close();
    throw error;
  }
}

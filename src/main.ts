// The composition root: the only place that sees every concrete class. Loads config.json (or the
// environment), builds plugins, the engine and the HTTP server, listens, and shuts down gracefully
// (stop accepting, let in-flight requests and SSE streams finish within a grace period, close the
// engine, then whatever storage/cluster components were wired in). Tests call `startGateway` with
// port 0; the `bifrost` command (cli.ts) calls it with the parsed flags.
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { createGateway, type Gateway, type Logger, type Plugin } from './core/index.js';
import { ZodError } from 'zod';
import {
  ConfigError, ConfigHolder, loadAppConfig, processEnv, type BifrostConfig, type ConfigIssue, type Env, type LoadedConfig,
} from './config/index.js';
import { createLogger, type LogLevel, type LogStyle } from './logging/index.js';
import { createMockerPlugin, MOCKER_PLUGIN_NAME } from './plugins/mocker/index.js';
import { buildHttpServer, type HealthCheck, type RouteModule } from './transports/http/index.js';
// storage (S)
import { logsStoreHealthCheck, openConfigStorage, storeHealthCheck } from './storage/bootstrap.js';
import { adminRoutes } from './transports/http/admin/index.js';
import { BIFROST_TS_VERSION } from './storage/version.js';
// governance (GV)
import { createGovernance, GOVERNANCE_PLUGIN, governancePluginConfigSchema } from './plugins/governance/index.js';
import { createPriceBook, loadBundledPricing } from './pricing/index.js';
import { aesGcmCipher, DEFAULT_SALT, deriveKey } from './security/index.js';
import { GovernanceStore } from './storage/governance/index.js';
import { governanceRoutes } from './transports/http/governance/index.js';
import { openDatabase as openGovernanceDatabase, parseStoreBlock as parseGovernanceStoreBlock } from './storage/database.js';
import { systemClock as governanceClock, systemRandom as governanceRandom } from './core/index.js';
// observability (O)
import { createTelemetryPlugin, telemetryConfigSchema, telemetryRoutes, TELEMETRY_PLUGIN_NAME, type TelemetryConfig } from './plugins/telemetry/index.js';
import { createLoggingPlugin, LOGGING_PLUGIN_NAME } from './plugins/logging/index.js';
import { openDatabase, parseStoreBlock } from './storage/database.js';
import { openLogsStore } from './storage/logs/index.js';
import { logsRoutes } from './transports/http/logs/index.js';

// Plugins from config.json's `plugins: [{name, enabled, config}]`: each built-in validates its own
// `config`; a bad one is reported like any config problem, with its key path. Unknown names warn.
export type PluginFactory = (config: unknown) => Plugin;

/** Built-in plugins known to the composition root; other engineers add theirs here. */
export function builtinPluginFactories(): Map<string, PluginFactory> {
  return new Map<string, PluginFactory>([
    [MOCKER_PLUGIN_NAME, (config) => createMockerPlugin(config)],
    ['mocker', (config) => createMockerPlugin(config)],
    // governance (GV): validated here for key paths; built in wireGovernance.
    [GOVERNANCE_PLUGIN, (config) => ({ name: GOVERNANCE_PLUGIN, pendingGovernance: governancePluginConfigSchema.parse(config ?? {}) })],
    // observability (O): validated here so config errors carry their key path; built in wireObservability.
    [TELEMETRY_PLUGIN_NAME, (config) => pendingPlugin(TELEMETRY_PLUGIN_NAME, telemetryConfigSchema.parse(config ?? {}))],
    [LOGGING_PLUGIN_NAME, (config) => pendingPlugin(LOGGING_PLUGIN_NAME, config)],
  ]);
}

function pathOf(index: number, path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, segment) => (typeof segment === 'number' ? `${out}[${segment}]` : `${out}.${String(segment)}`), `plugins[${index}].config`);
}

export interface BuildPluginsOptions {
  factories: ReadonlyMap<string, PluginFactory>;
  logger: Logger;
  source: string;
}

export function buildConfiguredPlugins(config: Readonly<BifrostConfig>, options: BuildPluginsOptions): Plugin[] {
  const plugins: Plugin[] = [];
  const issues: ConfigIssue[] = [];
  config.plugins.forEach((entry, index) => {
    if (!entry.enabled) return;
    const factory = options.factories.get(entry.name);
    if (!factory) {
      options.logger.warn({ plugin: entry.name }, `plugins[${index}]: unknown plugin "${entry.name}" skipped`);
      return;
    }
    try {
      plugins.push(factory(entry.config));
    } catch (error) {
      if (error instanceof ZodError) {
        for (const issue of error.issues) issues.push({ path: pathOf(index, issue.path), message: issue.message });
      } else {
        issues.push({ path: `plugins[${index}].config`, message: error instanceof Error ? error.message : String(error) });
      }
    }
  });
  if (issues.length > 0) throw new ConfigError(options.source, issues);
  return plugins;
}

export interface StartGatewayOptions {
  /** Default 8080; tests pass 0. */
  port?: number;
  /** Default `localhost`. */
  host?: string;
  /** Directory holding config.json; required unless `loaded` is given. */
  appDir?: string;
  /** An already loaded config (tests); skips reading `<appDir>/config.json`. */
  loaded?: LoadedConfig;
  env?: Env;
  logger?: Logger;
  logLevel?: LogLevel;
  logStyle?: LogStyle;
  /** How long shutdown waits for in-flight requests and streams before cutting them (default 30 s). */
  shutdownGraceMs?: number;
}

export interface RunningGateway {
  /** Bound address and port (the real port when 0 was asked for). */
  address: string;
  port: number;
  /** `http://address:port`. */
  url: string;
  config: ConfigHolder;
  gateway: Gateway;
  app: FastifyInstance;
  /** Graceful: stop accepting, drain in-flight work, close the engine and wired components. */
  close(): Promise<void>;
}

export async function startGateway(options: StartGatewayOptions): Promise<RunningGateway> {
  const env = options.env ?? processEnv();
  const logger = options.logger ?? createLogger({ level: options.logLevel ?? 'info', style: options.logStyle ?? 'json' });
  let loaded = options.loaded;
  if (!loaded) {
    if (options.appDir === undefined) throw new Error('startGateway needs appDir or loaded');
    loaded = await loadAppConfig(options.appDir, env);
  }
  for (const warning of loaded.warnings) logger.warn({ source: loaded.source }, warning);
  const holder = new ConfigHolder(loaded.config);

  const plugins: Plugin[] = buildConfiguredPlugins(loaded.config, {
    factories: builtinPluginFactories(), logger, source: loaded.source,
  });
  const routes: RouteModule[] = [];
  const healthChecks: HealthCheck[] = [];
  /** Shutdown steps of wired components, run in reverse order after the engine has closed. */
  const closers: Array<() => Promise<void>> = [];

  // ── Wiring point: storage, governance, observability, cluster ─────────────────────────────
  // Add here, a few lines each:
  //  - a config store: load/reconcile into `holder` (use holder.replace for live edits);
  //  - plugins: `plugins.unshift(governance)` / `plugins.push(telemetry, logging)`;
  //  - HTTP route modules (admin API, /metrics, /ws, logs): `routes.push(module)`;
  //  - readiness checks for databases / cluster: `healthChecks.push({ name, check })`;
  //  - their shutdown: `closers.push(() => store.close())`.
  // ───────────────────────────────────────────────────────────────────────────────────────────

  // storage (S): config store (reconcile config.json, live snapshot), admin API + auth, /health ping.
  const storage = await openConfigStorage({ loaded, env, appDir: options.appDir, logger });
  closers.push(() => storage.close());
  holder.replace(storage.service.current().config);
  storage.service.subscribe((snapshot) => holder.replace(snapshot.config));
  routes.push(adminRoutes({ service: storage.service, sessions: storage.sessions, env, version: `v${BIFROST_TS_VERSION}`, logger }));
  if (storage.database) healthChecks.push(storeHealthCheck('config_store', storage.database, holder));
  const logsHealth = logsStoreHealthCheck({ loaded, env, appDir: options.appDir, logger, config: holder });
  if (logsHealth) {
    healthChecks.push(logsHealth.check);
    closers.push(() => logsHealth.close());
  }

  // governance (GV): virtual keys, budgets, rate limits + /api/governance/*.
  await wireGovernance({ loaded, holder, env, appDir: options.appDir, logger, plugins, routes, closers });

  // observability (O): telemetry plugin + /metrics, request logging + /api/logs + /ws.
  await wireObservability({ loaded, holder, appDir: options.appDir, logger, plugins, routes, closers });

  const gateway = createGateway({ config: holder, plugins, logger });
  const app = await buildHttpServer({ gateway, config: holder, logger, routes, healthChecks });
  try {
    await app.listen({ port: options.port ?? 8080, host: options.host ?? 'localhost' });
  } catch (error) {
    await gateway.close();
    for (const close of closers.reverse()) await close().catch(() => undefined);
    throw error;
  }
  const bound = app.server.address() as AddressInfo;
  const address = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
  const url = `http://${address}:${bound.port}`;
  const providers = Object.keys(loaded.config.providers);
  logger.info({ url, providers, plugins: plugins.map((p) => p.name), config: loaded.source },
    `Bifrost listening on ${url}; providers: ${providers.length > 0 ? providers.join(', ') : 'none configured'}`);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const grace = setTimeout(() => app.server.closeAllConnections(), options.shutdownGraceMs ?? 30_000);
      grace.unref();
      try {
        await app.close();
      } finally {
        clearTimeout(grace);
      }
      await gateway.close();
      for (const step of closers.reverse()) {
        await step().catch((error: unknown) => logger.error({ err: error }, 'shutdown step failed'));
      }
    })();
    return closing;
  };
  return { address: bound.address, port: bound.port, url, config: holder, gateway, app, close };
}

// ── observability (O) ──────────────────────────────────────────────────────────────────────────
// Telemetry is on unless config.json disables it (Bifrost always loaded it); request logging
// follows `client.enable_logging` and needs a logs store (`logs_store`, default SQLite
// `<app-dir>/logs.db`). Both are observers: they never sit in the request path.

interface PendingPlugin extends Plugin {
  readonly pendingConfig: unknown;
}

function pendingPlugin(name: string, config: unknown): PendingPlugin {
  return { name, pendingConfig: config };
}

/** How often partitions are prepared and retention applied. */
const LOG_MAINTENANCE_MS = 60 * 60 * 1000;

interface ObservabilityWiring {
  loaded: LoadedConfig;
  holder: ConfigHolder;
  appDir: string | undefined;
  logger: Logger;
  plugins: Plugin[];
  routes: RouteModule[];
  closers: Array<() => Promise<void>>;
}

async function wireObservability(w: ObservabilityWiring): Promise<void> {
  const take = (name: string): { present: boolean; config: unknown } => {
    const index = w.plugins.findIndex((p) => p.name === name && 'pendingConfig' in p);
    if (index < 0) return { present: false, config: undefined };
    const [pending] = w.plugins.splice(index, 1);
    return { present: true, config: (pending as PendingPlugin).pendingConfig };
  };
  const telemetryEntry = take(TELEMETRY_PLUGIN_NAME);
  const telemetryDisabled = w.loaded.config.plugins.some((p) => p.name === TELEMETRY_PLUGIN_NAME && !p.enabled);
  if (!telemetryDisabled) {
    const config = (telemetryEntry.config ?? telemetryConfigSchema.parse({})) as TelemetryConfig;
    const telemetry = createTelemetryPlugin({
      customLabels: [...w.loaded.config.client.prometheus_labels, ...config.custom_labels],
      ...(config.push_gateway ? { pushGateway: config.push_gateway } : {}),
      logger: w.logger,
    });
    w.plugins.push(telemetry);
    w.routes.push(telemetryRoutes(telemetry));
    w.closers.push(() => telemetry.close());
  }
  take(LOGGING_PLUGIN_NAME);
  const client = w.loaded.config.client;
  const block = (w.loaded.config as { logs_store?: unknown }).logs_store;
  // Without an app dir (embedded/tests) only an explicit logs_store turns logging on.
  if (!client.enable_logging || (w.appDir === undefined && block === undefined)) return;
  const spec = parseStoreBlock(block, { name: 'logs_store', appDir: w.appDir ?? '.', defaultFile: 'logs.db' });
  if (!spec) return;
  const database = openDatabase(spec, { logger: w.logger });
  const store = await openLogsStore(database, { retentionDays: () => w.holder.current().client.log_retention_days, logger: w.logger });
  const logging = createLoggingPlugin({
    store, logger: w.logger, contentLoggingDisabled: () => w.holder.current().client.disable_content_logging,
  });
  const maintenance = setInterval(() => {
    store.maintain().catch((error: unknown) => w.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'log maintenance failed'));
  }, LOG_MAINTENANCE_MS);
  maintenance.unref();
  w.plugins.push(logging);
  w.routes.push(logsRoutes({ store, logging, config: w.holder, logger: w.logger }));
  w.closers.push(async () => {
    clearInterval(maintenance);
    await logging.close();
    await database.close();
  });
}

// ── governance (GV) ────────────────────────────────────────────────────────────────────────────
// On unless `client.enable_governance` is false or its plugins entry is disabled. Entities and
// usage persist in the config store database (`config_store`, default `<app-dir>/config.db`);
// without an app dir or with the store disabled, governance runs from config.json in memory.
interface GovernanceWiring {
  loaded: LoadedConfig;
  holder: ConfigHolder;
  env: Env;
  appDir: string | undefined;
  logger: Logger;
  plugins: Plugin[];
  routes: RouteModule[];
  closers: Array<() => Promise<void>>;
}

async function wireGovernance(w: GovernanceWiring): Promise<void> {
  const config = w.loaded.config;
  const index = w.plugins.findIndex((p) => p.name === GOVERNANCE_PLUGIN && 'pendingGovernance' in p);
  const pending = index >= 0 ? w.plugins.splice(index, 1)[0] as Plugin & { pendingGovernance: unknown } : undefined;
  const disabled = config.plugins.some((p) => p.name === GOVERNANCE_PLUGIN && !p.enabled);
  if (!config.client.enable_governance || disabled) return;
  const block = config.config_store === undefined && w.appDir === undefined ? { enabled: false } : config.config_store;
  const spec = parseGovernanceStoreBlock(block, { name: 'config_store', appDir: w.appDir ?? '.', defaultFile: 'config.db' });
  const database = spec ? openGovernanceDatabase(spec, { logger: w.logger }) : undefined;
  const key = config.encryption_key ?? w.env.BIFROST_ENCRYPTION_KEY;
  const cipher = key ? aesGcmCipher(await deriveKey(key, DEFAULT_SALT)) : undefined;
  const repository = database ? await GovernanceStore.open(database, cipher ? { cipher } : {}) : undefined;
  const governance = await createGovernance({
    governance: config.governance, pluginConfig: pending?.pendingGovernance, repository,
    pricing: createPriceBook(loadBundledPricing()), client: () => w.holder.current().client, configVersion: config.version,
    clock: governanceClock, random: governanceRandom, logger: w.logger,
  });
  w.plugins.unshift(governance.plugin);
  w.routes.push(governanceRoutes({ admin: governance.admin, plugin: governance.plugin }));
  if (database) w.closers.push(() => database.close());
}

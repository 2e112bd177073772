// The composition root: the only place that sees every concrete class. Loads config.json (or the
// environment), builds plugins, the engine and the HTTP server, listens, and shuts down gracefully
// (stop accepting, let in-flight requests and SSE streams finish within a grace period, close the
// engine, then whatever storage/cluster components were wired in). Tests call `startGateway` with
// port 0; the `bifrost` command (cli.ts) calls it with the parsed flags.
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { createGateway, type Gateway, type Logger, type Plugin } from './core/index.js';
import { ConfigHolder, loadAppConfig, processEnv, type Env, type LoadedConfig } from './config/index.js';
import { createLogger, type LogLevel, type LogStyle } from './logging/index.js';
import { createPriceBook, loadBundledPricing } from './pricing/index.js';
import { buildHttpServer, type HealthCheck, type RouteModule } from './transports/http/index.js';
import type { WiringContext } from './wiring/context.js';
import { wireGovernance } from './wiring/governance.js';
import { wireObservability } from './wiring/observability.js';
import { wireLivePlugins } from './wiring/live-plugins.js';
import { buildConfiguredPlugins, builtinPluginFactories } from './wiring/plugins.js';
import { Shutdown, type ShutdownReport } from './wiring/shutdown.js';
import { wireStorage } from './wiring/storage.js';
import { wireCluster } from './wiring/cluster.js';
import { wireConfigSync, type ConfigSyncWiringOptions } from './wiring/config-sync.js';
import { TELEMETRY_PLUGIN_NAME } from './wiring/plugins.js';
import type { TelemetryPlugin } from './plugins/telemetry/index.js';

export { buildConfiguredPlugins, builtinPluginFactories, type PluginFactory } from './wiring/plugins.js';
export type { ShutdownReport } from './wiring/shutdown.js';

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
  /** From the start of shutdown: in-flight requests and streams still running then are cut (default 30 s). */
  shutdownGraceMs?: number;
  /** How long the listener keeps accepting after shutdown begins, readiness already false (default 0). */
  drainDelayMs?: number;
  /** How long a request body may send nothing before it is answered 408 (default 30 s). */
  bodyIdleTimeoutMs?: number;
  /** Config sync tuning (poll interval, LISTEN backoff, change listener); on by default with PostgreSQL. */
  configSync?: ConfigSyncWiringOptions;
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
  /** Graceful: drain, stop accepting, let in-flight work finish, close the engine and wired components (wiring/shutdown.ts). */
  close(): Promise<ShutdownReport>;
  /** Cuts what still runs during a close (a second signal); returns how many requests and streams were cut. */
  cut(): number;
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
  const closers: Array<() => Promise<void>> = [];
  const priceBook = createPriceBook(loadBundledPricing());
  const wiring: WiringContext = {
    loaded, holder, env, appDir: options.appDir, logger, plugins, routes, healthChecks, closers, onDrain: [], isLeader: () => true,
    exchangeObservers: [], inferenceInterceptors: [],
    cost: (provider, model, usage) => priceBook.cost(provider, model, usage),
  };
  // Order matters: storage first (governance shares its database), the gossip node before
  // governance (which takes its shared counters), governance's plugin first in the chain, config
  // sync once governance exists, observers last.
  const storage = await wireStorage(wiring);
  const host = options.host ?? 'localhost';
  const cluster = await wireCluster(wiring, { host, port: options.port ?? 8080 });
  wireLivePlugins(plugins, holder, { editable: storage.database !== undefined, logger });
  await wireGovernance(wiring, storage, priceBook, cluster?.counters);
  await wireConfigSync(wiring, storage, { ...options.configSync, ...(cluster ? { channel: cluster.node, node: cluster.node.self } : {}) });
  await wireObservability(wiring);
  const telemetry = plugins.find((p) => p.name === TELEMETRY_PLUGIN_NAME) as TelemetryPlugin | undefined;
  if (cluster && telemetry) cluster.metrics(telemetry.metrics.registry);

  const gateway = createGateway({ config: holder, plugins, logger, cost: wiring.cost });
  const drain = { draining: false };
  const app = await buildHttpServer({
    gateway, config: holder, logger, routes, healthChecks, drain,
    exchangeObservers: wiring.exchangeObservers, inferenceInterceptors: wiring.inferenceInterceptors,
    ...(options.bodyIdleTimeoutMs !== undefined ? { bodyIdleTimeoutMs: options.bodyIdleTimeoutMs } : {}),
  });
  try {
    await app.listen({ port: options.port ?? 8080, host });
  } catch (error) {
    await gateway.close();
    for (const close of closers.reverse()) await close().catch(() => undefined);
    throw error;
  }
  const bound = app.server.address() as AddressInfo;
  const address = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
  const url = `http://${address}:${bound.port}`;
  await cluster?.listening(`${host === 'localhost' ? '127.0.0.1' : host}:${bound.port}`);
  const providers = Object.keys(loaded.config.providers);
  logger.info({ url, providers, plugins: plugins.map((p) => p.name), config: loaded.source },
    `Bifrost listening on ${url}; providers: ${providers.length > 0 ? providers.join(', ') : 'none configured'}`);

  const shutdown = new Shutdown({
    app, gateway, drain, onDrain: wiring.onDrain, closers, logger,
    plan: { drainDelayMs: options.drainDelayMs ?? 0, deadlineMs: options.shutdownGraceMs ?? 30_000 },
  });
  return {
    address: bound.address, port: bound.port, url, config: holder, gateway, app,
    close: () => shutdown.run(), cut: () => shutdown.cut('second signal'),
  };
}

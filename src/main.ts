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

// Plugins from config.json's `plugins: [{name, enabled, config}]`: each built-in validates its own
// `config`; a bad one is reported like any config problem, with its key path. Unknown names warn.
export type PluginFactory = (config: unknown) => Plugin;

/** Built-in plugins known to the composition root; other engineers add theirs here. */
export function builtinPluginFactories(): Map<string, PluginFactory> {
  return new Map<string, PluginFactory>([
    [MOCKER_PLUGIN_NAME, (config) => createMockerPlugin(config)],
    ['mocker', (config) => createMockerPlugin(config)],
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

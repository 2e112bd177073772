// What every wiring step receives: the loaded config and its live holder, the environment, the
// logger, and the lists the composition root assembles (plugins, HTTP route modules, exchange
// observers, inference interceptors, health checks, shutdown steps). Each step adds its own few entries; main.ts owns the order.
import type { ConfigHolder, Env, LoadedConfig } from '../config/index.js';
import type { CostFunction, Logger, Plugin } from '../core/index.js';
import type { ExchangeObserver, HealthCheck, InferenceBodyInterceptor, RouteModule } from '../transports/http/index.js';

export interface WiringContext {
  loaded: LoadedConfig;
  holder: ConfigHolder;
  env: Env;
  /** Where config.db / logs.db live; undefined for embedded use (tests) without one. */
  appDir: string | undefined;
  logger: Logger;
  plugins: Plugin[];
  routes: RouteModule[];
  /** Told about every finished HTTP exchange (HTTP metrics). */
  exchangeObservers: ExchangeObserver[];
  /** Rewrite parsed inference bodies before they become requests. */
  inferenceInterceptors: InferenceBodyInterceptor[];
  healthChecks: HealthCheck[];
  /** Shutdown steps, run in reverse order after the engine has closed. */
  closers: Array<() => Promise<void>>;
  /** Run the moment shutdown begins (readiness already false): e.g. mark the gossip node draining. */
  onDrain: Array<() => void>;
  /** Whether this replica runs cluster-wide chores (always, outside cluster mode). */
  isLeader: () => boolean;
  /** Prices requests (engine summaries, governance budgets). */
  cost: CostFunction;
}

/** A plugin entry validated from config.json but built later by its wiring step. */
export interface PendingPlugin extends Plugin {
  readonly pendingConfig: unknown;
}

export function pendingPlugin(name: string, config: unknown): PendingPlugin {
  return { name, pendingConfig: config };
}

/** Removes a pending entry from the plugin list and returns whether it was there and its config. */
export function takePending(plugins: Plugin[], name: string): { present: boolean; config: unknown } {
  const index = plugins.findIndex((p) => p.name === name && 'pendingConfig' in p);
  if (index < 0) return { present: false, config: undefined };
  const [pending] = plugins.splice(index, 1);
  return { present: true, config: (pending as PendingPlugin).pendingConfig };
}

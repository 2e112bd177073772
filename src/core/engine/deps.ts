// What the engine's parts share for the lifetime of one gateway: injected ports, the provider
// registry, the upstream HTTP client, the per-provider queues and the observer bus.
import type { Plugin } from '../plugin.js';
import type { Clock, CostFunction, Logger, Random, Sleeper } from '../ports.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { ProviderQueue } from '../queue/provider-queue.js';
import type { ConfigSource } from '../runtime-config.js';
import type { UpstreamClient } from '../upstream/client.js';
import type { EventBus } from './events.js';

export interface EngineDeps {
  config: ConfigSource;
  plugins: readonly Plugin[];
  /** Whether any plugin has a pre- or post-hook (else the pipeline is skipped). */
  hooked: boolean;
  logger: Logger;
  clock: Clock;
  random: Random;
  sleeper: Sleeper;
  cost: CostFunction | undefined;
  registry: ProviderRegistry;
  client: UpstreamClient;
  queues: Map<string, ProviderQueue>;
  events: EventBus;
}

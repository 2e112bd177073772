// `createGateway`: wires the injected ports, the provider registry, one upstream HTTP client and
// the per-provider queues into the Gateway the transports call. `close` refuses new work, waits
// for in-flight requests (streams included) to finish, then closes connections and plugins.
import type { Gateway, GatewayOptions } from '../gateway.js';
import { silentLogger, systemClock, systemRandom, systemSleeper } from '../ports.js';
import { createProviderRegistry } from '../providers/registry.js';
import type { InferenceRequest, InferenceResult, JsonObject, RequestContext } from '../types.js';
import { createUpstreamClient } from '../upstream/client.js';
import type { EngineDeps } from './deps.js';
import { asGatewayError, shuttingDown } from './errors.js';
import { EventBus } from './events.js';
import { listModels } from './list-models.js';
import { RequestRun } from './request-run.js';
import { route } from './route.js';

export function createGateway(options: GatewayOptions): Gateway {
  const plugins = options.plugins ?? [];
  const logger = options.logger ?? silentLogger;
  const deps: EngineDeps = {
    config: options.config,
    plugins,
    hooked: plugins.some((p) => typeof p.preHook === 'function' || typeof p.postHook === 'function'),
    logger,
    clock: options.clock ?? systemClock,
    random: options.random ?? systemRandom,
    sleeper: options.sleeper ?? systemSleeper,
    cost: options.cost,
    registry: createProviderRegistry(),
    client: createUpstreamClient(),
    queues: new Map(),
    events: new EventBus(plugins, logger),
  };
  let closing = false;
  let inFlight = 0;
  let drained: (() => void) | undefined;
  const onEnd = (): void => {
    inFlight--;
    if (inFlight === 0 && drained) drained();
  };

  return {
    async handle(request: InferenceRequest, ctx: RequestContext): Promise<InferenceResult> {
      if (closing) throw shuttingDown();
      inFlight++;
      const run = new RequestRun(deps, request, ctx, onEnd);
      try {
        return await route(deps, run);
      } catch (thrown) {
        const error = asGatewayError(thrown);
        if (error.status >= 500 && error.type === 'internal_error') logger.error({ err: thrown, requestId: ctx.requestId }, 'request failed');
        run.end({ servedBy: undefined, error, usage: undefined, output: undefined });
        throw error;
      }
    },

    listModels: (ctx: RequestContext, provider?: string): Promise<JsonObject> => listModels(deps, ctx, provider),

    inFlight: () => inFlight,

    async close(): Promise<void> {
      closing = true;
      if (inFlight > 0) await new Promise<void>((resolve) => { drained = resolve; });
      await deps.client.close();
      for (const plugin of plugins) {
        try {
          await plugin.close?.();
        } catch (error) {
          logger.warn({ plugin: plugin.name, err: error }, 'plugin close failed');
        }
      }
    },
  };
}

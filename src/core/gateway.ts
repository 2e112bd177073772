// The engine's public face: what the transports call. Implemented by `createGateway` in
// ./engine/; nothing outside src/core needs to know how requests are queued, retried or routed.
import type { ConfigSource } from './runtime-config.js';
import type { Plugin } from './plugin.js';
import type { Clock, CostFunction, Logger, Random, Sleeper } from './ports.js';
import type { InferenceRequest, InferenceResult, JsonObject, RequestContext } from './types.js';

export interface GatewayOptions {
  config: ConfigSource;
  plugins?: Plugin[];
  logger?: Logger;
  clock?: Clock;
  random?: Random;
  /** Backoff waits between retries (tests inject one that does not sleep). */
  sleeper?: Sleeper;
  /** Fills `RequestSummary.cost` for observers (telemetry, logs). */
  cost?: CostFunction;
}

export interface Gateway {
  /**
   * Runs one inference request through plugins, queueing, key selection, retries and fallbacks.
   * Resolves with a response or a stream; rejects only with a GatewayError.
   */
  handle(request: InferenceRequest, ctx: RequestContext): Promise<InferenceResult>;
  /** OpenAI-shaped model list (`{object:"list", data:[...]}`) across configured providers. */
  listModels(ctx: RequestContext, provider?: string): Promise<JsonObject>;
  /** Requests and streams started and not yet finished (what a shutdown deadline would cut). */
  inFlight(): number;
  /** Stops accepting work, lets queued requests finish, closes upstream pools and plugins. */
  close(): Promise<void>;
}

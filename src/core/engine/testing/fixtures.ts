// Shared fixtures for the engine's tests: config snapshots pointing at the fake OpenAI upstream,
// request contexts, canonical requests, a Sleeper that records waits instead of sleeping, and an
// observer plugin that collects events.
import { Cancellation } from '../../cancellation.js';
import type { GatewayEvent, Plugin, RequestSummary } from '../../plugin.js';
import type { Sleeper } from '../../ports.js';
import type { ClientConfig, ConfigSource, ProviderConfig, ProviderKey, RuntimeConfig } from '../../runtime-config.js';
import type { InferenceRequest, JsonObject, RequestContext, RequestType } from '../../types.js';

export function key(name: string, extra: Partial<ProviderKey> = {}): ProviderKey {
  return { id: name, name, value: `sk-${name}`, models: [], weight: 1, enabled: true, ...extra };
}

export function provider(baseUrl: string, extra: {
  keys?: ProviderKey[]; network?: Partial<ProviderConfig['network_config']>;
  concurrency?: ProviderConfig['concurrency_and_buffer_size']; custom?: boolean;
} = {}): ProviderConfig {
  return {
    keys: extra.keys ?? [key('main')],
    network_config: {
      base_url: baseUrl, default_request_timeout_in_seconds: 10, max_retries: 0, retry_backoff_initial: 500,
      retry_backoff_max: 5000, ...extra.network,
    },
    concurrency_and_buffer_size: extra.concurrency ?? { concurrency: 100, buffer_size: 100 },
    ...(extra.custom ? { custom_provider_config: { base_provider_type: 'openai' } } : {}),
  };
}

export function client(extra: Partial<ClientConfig> = {}): ClientConfig {
  return {
    initial_pool_size: 10, drop_excess_requests: false, max_request_body_size_mb: 100, allowed_origins: ['*'],
    prometheus_labels: [], enable_logging: false, disable_content_logging: false, log_retention_days: 1,
    enforce_governance_header: false, enforce_auth_on_inference: false, allow_direct_keys: false,
    disable_db_pings_in_health: false, ...extra,
  };
}

export function staticConfig(providers: Record<string, ProviderConfig>, clientExtra: Partial<ClientConfig> = {}): ConfigSource {
  const snapshot: RuntimeConfig = { client: client(clientExtra), providers };
  return { current: () => snapshot, subscribe: () => () => {} };
}

export function context(cancellation: Cancellation = new Cancellation(), requestId = 'req-1'): RequestContext {
  return { requestId, cancellation, headers: {}, startedAt: Date.now(), values: new Map() };
}

export function request(model: string, body: JsonObject = {}, extra: {
  type?: RequestType; fallbacks?: string[]; stream?: boolean;
} = {}): InferenceRequest {
  const split = (m: string) => ({ provider: m.slice(0, m.indexOf('/')), model: m.slice(m.indexOf('/') + 1) });
  const stream = extra.stream ?? false;
  return {
    requestType: extra.type ?? 'chat_completion',
    target: split(model),
    fallbacks: (extra.fallbacks ?? []).map(split),
    body: {
      model, messages: [{ role: 'user', content: 'hello world' }], ...(stream ? { stream: true } : {}),
      ...(extra.fallbacks ? { fallbacks: extra.fallbacks } : {}), ...body,
    },
    stream,
  };
}

export function recordingSleeper(): Sleeper & { waits: number[] } {
  const waits: number[] = [];
  return { waits, sleep: async (ms) => { waits.push(ms); } };
}

export function observer(): Plugin & { events: GatewayEvent[]; ends: RequestSummary[] } {
  const events: GatewayEvent[] = [];
  const ends: RequestSummary[] = [];
  return {
    name: 'test-observer', events, ends,
    observe(event) {
      events.push(event);
      if (event.type === 'request.end') ends.push(event.summary);
    },
  };
}

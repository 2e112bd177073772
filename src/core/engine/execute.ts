// Calls one provider for one target (primary or a fallback): waits for a slot in the provider's
// queue, then loops over attempts — pick a key, send, classify the failure, rotate keys or back off
// — within the provider's retry budget. Resolves with the parsed response, or with the upstream
// response whose body is a stream still to be read.
import { GatewayError, isGatewayError } from '../errors.js';
import { countCandidates, selectKey } from '../keys/select-key.js';
import type { ParsedResponse, ProviderAdapter } from '../providers/adapter.js';
import { ProviderQueue } from '../queue/provider-queue.js';
import { backoffMs, classifyFailure, type FailureAction } from '../retry/policy.js';
import type { ProviderConfig, ProviderKey, RuntimeConfig } from '../runtime-config.js';
import { ALLOWED_KEY_IDS, type InferenceRequest, type RequestContext, type ServedBy } from '../types.js';
import { classifyTransportError, type StreamedResponse } from '../upstream/client.js';
import type { EngineDeps } from './deps.js';
import {
  cancelledError, credentialsExhausted, invalidUpstreamBody, networkError, noKeyError, timeoutError, upstreamError,
} from './errors.js';

export interface RunStats {
  /** Re-attempts across all targets. */
  retries: number;
}

export type ProviderOutcome =
  | { kind: 'response'; parsed: ParsedResponse; servedBy: ServedBy }
  | { kind: 'stream'; upstream: StreamedResponse; servedBy: ServedBy; timeoutMs: number };

export interface TargetCall {
  request: InferenceRequest;
  ctx: RequestContext;
  adapter: ProviderAdapter;
  providerConfig: Readonly<ProviderConfig>;
  snapshot: RuntimeConfig;
  fallbackIndex: number;
  stats: RunStats;
}

/** Takes a slot in the provider's queue (at once when one is free: no extra promise), then attempts. */
export function callProvider(deps: EngineDeps, call: TargetCall): Promise<ProviderOutcome> {
  const { provider } = call.request.target;
  let queue = deps.queues.get(provider);
  if (!queue) {
    queue = new ProviderQueue(provider, call.providerConfig.concurrency_and_buffer_size);
    deps.queues.set(provider, queue);
  }
  const wait = queue.acquire(call.providerConfig.concurrency_and_buffer_size,
    call.snapshot.client.drop_excess_requests, call.ctx.cancellation);
  if (!wait) return attempts(deps, call, queue);
  const slotted = queue;
  return wait.then(() => attempts(deps, call, slotted), (error: unknown) => {
    throw call.ctx.cancellation.aborted ? cancelledError(call.request.target) : error;
  });
}

/** The retry loop; releases the queue slot however it ends. */
async function attempts(deps: EngineDeps, call: TargetCall, queue: ProviderQueue): Promise<ProviderOutcome> {
  try {
    const { request, ctx, adapter, providerConfig: cfg } = call;
    const where = request.target;
    const net = cfg.network_config;
    const timeoutMs = (net.default_request_timeout_in_seconds > 0 ? net.default_request_timeout_in_seconds : 30) * 1000;
    const maxRetries = Math.max(0, net.max_retries || 0);
    const keys = explicitKeys(cfg.keys, call, where);
    // Allocated only when a key has to be ruled out: dead = rejected credentials, excluded = dead + rate-limited.
    let dead: Set<string> | undefined;
    let excluded: Set<string> | undefined;
    let retry = 0;
    let tries = 0;
    let last: GatewayError | undefined;
    for (;;) {
      if (ctx.cancellation.aborted) throw cancelledError(where);
      const key = selectKey(keys, where.model, deps.random, excluded);
      if (!key) {
        const candidates = countCandidates(keys, where.model);
        if (candidates === 0) throw noKeyError(where);
        if (dead && dead.size >= candidates) throw credentialsExhausted(where, last);
        // Every live key was rate-limited: start a new cycle. Nothing to reset (duplicate key ids)
        // would loop forever, so that ends the request instead.
        if (!excluded || excluded.size <= (dead?.size ?? 0)) throw dead ? credentialsExhausted(where, last) : (last ?? noKeyError(where));
        excluded = dead ? new Set(dead) : undefined;
        continue;
      }
      if (tries++ > 0) call.stats.retries++;
      const target = { provider: where.provider, model: where.model, key, config: cfg };
      const started = deps.clock.monotonic();
      let action: FailureAction;
      try {
        const upstreamRequest = adapter.buildRequest(request, target);
        if (adapter.sign) await adapter.sign(upstreamRequest, target);
        // A stream that succeeds resolves at the headers; whole answers and errors are gathered.
        const res = request.stream
          ? await deps.client.sendStreaming(upstreamRequest, { cancellation: ctx.cancellation, timeoutMs })
          : await deps.client.sendBuffered(upstreamRequest, { cancellation: ctx.cancellation, timeoutMs });
        const latency = deps.clock.monotonic() - started;
        if (deps.events.wants('upstream.attempt')) {
          deps.events.emit({ type: 'upstream.attempt', ctx, provider: where.provider, model: where.model,
            keyName: key.name, status: res.status, latencyMs: latency, retry });
        }
        if (res.status < 400) {
          const servedBy: ServedBy = {
            provider: where.provider, model: where.model, requestedModel: `${where.provider}/${where.model}`,
            fallbackIndex: call.fallbackIndex, keyName: key.name, attempts: retry + 1, upstreamLatencyMs: latency,
          };
          if ('body' in res) return { kind: 'stream', upstream: res, servedBy, timeoutMs };
          let parsed: ParsedResponse;
          try {
            parsed = adapter.parseResponse(request.requestType, res.text);
          } catch (error) {
            throw invalidUpstreamBody(where, error);
          }
          return { kind: 'response', parsed, servedBy };
        }
        // Error statuses always arrive gathered (sendStreaming streams only a status below 400).
        const info = adapter.parseError(res.status, 'text' in res ? res.text : '');
        action = classifyFailure(res.status, info.message);
        last = upstreamError(res.status, info, where, action.kind !== 'final');
      } catch (error) {
        if (isGatewayError(error)) throw error;
        const failure = classifyTransportError(error, ctx.cancellation);
        if (failure.kind === 'aborted') throw cancelledError(where);
        if (deps.events.wants('upstream.attempt')) {
          deps.events.emit({ type: 'upstream.attempt', ctx, provider: where.provider, model: where.model,
            keyName: key.name, status: failure.kind, latencyMs: deps.clock.monotonic() - started, retry });
        }
        last = failure.kind === 'timeout' ? timeoutError(where, timeoutMs, error) : networkError(where, failure.message, error);
        action = classifyFailure(failure.kind, failure.message);
      }
      if (action.kind === 'key-dead') {
        (dead ??= new Set()).add(key.id);
        (excluded ??= new Set()).add(key.id);
        continue;
      }
      if (action.kind === 'final' || retry >= maxRetries) throw last;
      if (action.rotate) (excluded ??= new Set()).add(key.id);
      const wait = backoffMs(retry, { initial: net.retry_backoff_initial, max: net.retry_backoff_max }, deps.random);
      try {
        await deps.sleeper.sleep(wait, ctx.cancellation.signal);
      } catch {
        throw cancelledError(where);
      }
      retry++;
    }
  } finally {
    queue.release();
  }
}

/**
 * Narrows the key pool for this request: a caller's own provider key (`x-bf-direct-key: true`
 * with the key in Authorization / x-api-key, only when `client.allow_direct_keys`), else
 * `x-bf-api-key-id` / `x-bf-api-key` naming one configured key (id wins).
 */
function explicitKeys(keys: readonly ProviderKey[], call: TargetCall, where: { provider: string; model: string }): readonly ProviderKey[] {
  const headers = call.ctx.headers;
  if (call.snapshot.client.allow_direct_keys && headers['x-bf-direct-key'] === 'true') {
    const auth = headers.authorization;
    const value = auth?.toLowerCase().startsWith('bearer ') ? auth.slice(7).trim() : headers['x-api-key'] ?? headers['x-goog-api-key'];
    if (value) return [{ id: 'direct', name: 'direct', value, models: [], weight: 1, enabled: true }];
  }
  const allowed = call.ctx.values.get(ALLOWED_KEY_IDS) as readonly string[] | undefined;
  if (allowed) keys = keys.filter((k) => allowed.includes(k.id) || allowed.includes(k.name));
  const id = headers['x-bf-api-key-id'];
  const name = id ? undefined : headers['x-bf-api-key'];
  if (!id && !name) return keys;
  const chosen = keys.filter((k) => (id ? k.id === id : k.name === name));
  if (chosen.length === 0) {
    throw new GatewayError(`provider ${where.provider} has no key with ${id ? `id ${id}` : `name ${name}`}`, {
      status: 400, type: 'invalid_request_error', param: id ? 'x-bf-api-key-id' : 'x-bf-api-key', ...where,
    });
  }
  return chosen;
}

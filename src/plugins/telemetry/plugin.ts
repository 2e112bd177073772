// The telemetry plugin: turns the engine's lifecycle events and the HTTP transport's per-request
// samples into Prometheus series. Everything here is synchronous counter arithmetic — no I/O, no
// awaiting — so it can run inline in `observe` without slowing the request it describes.
// Per-request state (method, custom label values, stream chunk gaps, whether a provider was
// called) lives in a bounded map from request start to request end. The `bifrost_upstream_*`,
// success/error, token, cost, retry and overhead families count only requests that reached a
// provider (an `upstream.attempt` was made): a request a plugin answered or refused in its pre-hook
// (governance's 400/402/403/429, a mocked answer, a cache hit) was never forwarded. Those still
// show in the `http_*` families, and cache hits in `bifrost_cache_hits_total`.
import { hostname } from 'node:os';
import type { GatewayEvent, HttpExchange, Logger, Plugin, RequestSummary } from '../../core/index.js';
import { CACHE_DEBUG, silentLogger } from '../../core/index.js';
import { TELEMETRY_PLUGIN_NAME, type PushGatewayConfig } from './config.js';
import { BIFROST_LABELS, customLabels, customLabelList, governanceLabels, methodLabel, type BifrostLabel } from './labels.js';
import { seriesKey, seriesResets, type Family, type Series } from './series.js';
import { createMetrics, type TelemetryMetrics } from './metrics.js';
import { startPushGateway, type PushGatewayClient } from './push-gateway.js';


/** Requests tracked between start and end; beyond this the oldest state is forgotten. */
const MAX_TRACKED = 100_000;

export interface TelemetryOptions {
  /** `client.prometheus_labels` plus the plugin's `custom_labels`. */
  customLabels?: readonly string[];
  pushGateway?: PushGatewayConfig;
  logger?: Logger;
  /** Default `instance` grouping label for pushes. */
  hostname?: string;
}

export interface TelemetryPlugin extends Plugin {
  readonly metrics: TelemetryMetrics;
  recordHttp(sample: HttpExchange): void;
  /** The Prometheus text exposition of this plugin's registry. */
  exposition(): Promise<{ contentType: string; body: string }>;
  /** The push client when push mode is on. */
  readonly pushGateway: PushGatewayClient | undefined;
  close(): Promise<void>;
}

interface RequestState {
  method: string;
  custom: string[];
  active: Series;
  firstChunkMs: number | undefined;
  gapsMs: number[];
  /** Set by the first `upstream.attempt`: the request was sent to a provider. */
  attempted: boolean;
}

export function createTelemetryPlugin(options: TelemetryOptions = {}): TelemetryPlugin {
  const logger = options.logger ?? silentLogger;
  const { labels: custom, rejected } = customLabels(options.customLabels ?? []);
  if (rejected.length > 0) logger.warn({ labels: rejected }, 'ignoring custom prometheus labels that are not valid label names');
  const metrics = createMetrics(custom.map((label) => label.name));
  const inflight = new Map<string, RequestState>();
  const pushGateway = options.pushGateway?.enabled
    ? startPushGateway(options.pushGateway, { registry: metrics.registry, logger, hostname: options.hostname ?? hostname() })
    : undefined;

  const observe = (event: GatewayEvent): void => {
    try {
      switch (event.type) {
        case 'request.start': onStart(event.request.requestType, event.request.stream, event.ctx);
          break;
        case 'stream.chunk': onChunk(event.ctx.requestId, event.index, event);
          break;
        case 'upstream.attempt': onAttempt(event.ctx.requestId);
          break;
        case 'request.end': onEnd(event.summary);
          break;
        default:
          break;
      }
    } catch (error) {
      logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'telemetry observe failed');
    }
  };

  function onStart(requestType: RequestSummary['requestType'], stream: boolean, ctx: RequestSummary['ctx']): void {
    const method = methodLabel(requestType, stream);
    if (inflight.size >= MAX_TRACKED) {
      const oldest = inflight.keys().next().value;
      if (oldest !== undefined) inflight.delete(oldest);
    }
    const active = metrics.activeRequests.child([method]);
    active.value += 1;
    inflight.set(ctx.requestId, { method, custom: customLabelList(custom, ctx.headers), active, firstChunkMs: undefined, gapsMs: [], attempted: false });
  }

  function onAttempt(requestId: string): void {
    const state = inflight.get(requestId);
    if (state) state.attempted = true;
  }

  function onChunk(requestId: string, index: number, timing: { sinceStartMs: number; sincePreviousMs: number }): void {
    const state = inflight.get(requestId);
    if (!state) return;
    if (index === 0) state.firstChunkMs = timing.sinceStartMs;
    else state.gapsMs.push(timing.sincePreviousMs);
  }

  function onEnd(summary: RequestSummary): void {
    const state = inflight.get(summary.requestId);
    inflight.delete(summary.requestId);
    const method = state?.method ?? methodLabel(summary.requestType, summary.stream);
    if (state) state.active.value -= 1;
    // Without the start's state (forgotten past MAX_TRACKED) a provider's answer is the best evidence.
    const reached = state ? state.attempted : summary.servedBy !== undefined;
    const cacheType = cacheHitType(summary.ctx.values.get(CACHE_DEBUG));
    if (!reached && cacheType === undefined && !summary.stream) return;
    const set = labelSet(summary, method, state?.custom ?? customLabelList(custom, summary.ctx.headers));
    if (reached) recordUpstream(metrics, summary, set);
    if (cacheType !== undefined) metrics.cacheHitsTotal.inc(set.seriesWith(metrics.cacheHitsTotal, cacheType));
    const firstMs = summary.firstTokenMs ?? state?.firstChunkMs;
    if (summary.stream && firstMs !== undefined) {
      metrics.streamFirstTokenLatency.observe(set.series(metrics.streamFirstTokenLatency), firstMs / 1000);
    }
    if (state && state.gapsMs.length > 0) {
      const series = set.series(metrics.streamInterTokenLatency);
      for (const gap of state.gapsMs) metrics.streamInterTokenLatency.observe(series, gap / 1000);
    }
  }

  // Label sets by their inputs. Requests of one route share one label set, so the 16+ label values,
  // their joined key and each family's series are worked out once, not at every request's end.
  const labelSets = new Map<string, LabelSet>();
  let resetsSeen = seriesResets();
  function labelSet(summary: RequestSummary, method: string, customValues: readonly string[]): LabelSet {
    const served = summary.servedBy;
    const gov = governanceLabels(summary.ctx);
    let id = `${served?.provider ?? summary.request.target.provider}\u0000${served?.model ?? summary.request.target.model}`
      + `\u0000${method}\u0000${served?.keyName ?? ''}\u0000${served?.fallbackIndex ?? 0}`;
    for (const name in gov) id += `\u0000${name}=${gov[name as BifrostLabel]!}`;
    for (const value of customValues) id += `\u0001${value}`;
    if (resetsSeen !== seriesResets() || labelSets.size >= MAX_LABEL_SETS) {
      labelSets.clear();
      resetsSeen = seriesResets();
    }
    let set = labelSets.get(id);
    if (!set) {
      set = new LabelSet(bifrostValues(summary, method, customValues, gov));
      labelSets.set(id, set);
    }
    return set;
  }

  return {
    name: TELEMETRY_PLUGIN_NAME,
    metrics,
    pushGateway,
    observe,
    recordHttp(sample) {
      const values = [sample.path, sample.method, String(sample.status), ...customLabelList(custom, sample.headers)];
      const key = seriesKey(values);
      metrics.httpRequestsTotal.inc(metrics.httpRequestsTotal.child(values, key));
      metrics.httpRequestDuration.observe(metrics.httpRequestDuration.child(values, key), sample.durationSeconds);
      if (sample.requestBytes !== undefined && sample.requestBytes >= 0) {
        metrics.httpRequestSize.observe(metrics.httpRequestSize.child(values, key), sample.requestBytes);
      }
      if (sample.responseBytes !== undefined && sample.responseBytes >= 0) {
        metrics.httpResponseSize.observe(metrics.httpResponseSize.child(values, key), sample.responseBytes);
      }
    },
    async exposition() {
      return { contentType: metrics.registry.contentType, body: await metrics.registry.metrics() };
    },
    async close() {
      await pushGateway?.close();
    },
  };
}

const BASE_COUNT = BIFROST_LABELS.length;
/** Label sets remembered at most; past it the cache starts over (custom label values are caller-chosen). */
const MAX_LABEL_SETS = 10_000;

/** One request label set: its values, their key, and each family's series for it, found once. */
class LabelSet {
  readonly key: string;
  private readonly cache = new Map<Family, Series>();
  private readonly extras = new Map<string, Series>();

  constructor(readonly values: string[]) {
    this.key = seriesKey(values);
  }

  series(family: Family): Series {
    let series = this.cache.get(family);
    if (!series) {
      series = family.child(this.values, this.key);
      this.cache.set(family, series);
    }
    return series;
  }

  /** The series of a family declared with one extra label after the base ones. */
  seriesWith(family: Family, extra: string): Series {
    const id = `${family.name}\u0000${extra}`;
    let series = this.extras.get(id);
    if (!series) {
      series = family.child(withExtra(this.values, extra));
      if (this.extras.size < 64) this.extras.set(id, series);
    }
    return series;
  }
}

/** Label values in BIFROST_LABELS order, then the custom labels. */
function bifrostValues(summary: RequestSummary, method: string, custom: readonly string[],
  gov: Partial<Record<BifrostLabel, string>>): string[] {
  const served = summary.servedBy;
  const known: Partial<Record<BifrostLabel, string>> = {
    ...gov,
    provider: served?.provider ?? summary.request.target.provider,
    model: served?.model ?? summary.request.target.model,
    method,
    selected_key_name: served?.keyName ?? '',
    fallback_index: String(served?.fallbackIndex ?? 0),
  };
  const values = BIFROST_LABELS.map((name) => known[name] ?? '');
  for (const value of custom) values.push(value);
  return values;
}

/** The same values with one extra label inserted after the base labels (Bifrost's order). */
function withExtra(values: readonly string[], extra: string): string[] {
  return [...values.slice(0, BASE_COUNT), extra, ...values.slice(BASE_COUNT)];
}

/** The families about the provider call: only for requests that reached a provider. */
function recordUpstream(metrics: TelemetryMetrics, summary: RequestSummary, set: LabelSet): void {
  const m = metrics;
  m.upstreamRequestsTotal.inc(set.series(m.upstreamRequestsTotal));
  m.upstreamLatency.observe(set.seriesWith(m.upstreamLatency, String(summary.status === 'success')), summary.latencyMs / 1000);
  m.requestRetries.observe(set.series(m.requestRetries), summary.retries);
  if (summary.status === 'success') m.successRequestsTotal.inc(set.series(m.successRequestsTotal));
  else m.errorRequestsTotal.inc(set.seriesWith(m.errorRequestsTotal, summary.error ? String(summary.error.status) : 'unknown'));
  if (summary.usage) {
    m.inputTokensTotal.inc(set.series(m.inputTokensTotal), summary.usage.prompt_tokens);
    m.outputTokensTotal.inc(set.series(m.outputTokensTotal), summary.usage.completion_tokens);
  }
  if (summary.cost !== undefined && summary.cost > 0) m.costTotal.inc(set.series(m.costTotal), summary.cost);
  const overheadMs = overheadOf(summary);
  if (overheadMs !== undefined) m.overheadLatency.observe(set.series(m.overheadLatency), overheadMs * 1000);
}
/** Bifrost's `cache_debug` facts, as a caching plugin records them in the request context. */
function cacheHitType(debug: unknown): string | undefined {
  if (!debug || typeof debug !== 'object') return undefined;
  const record = debug as Record<string, unknown>;
  if (record.cache_hit !== true) return undefined;
  return typeof record.hit_type === 'string' ? record.hit_type : 'unknown';
}

/**
 * What the gateway itself added: for a plain response, total time minus time to the upstream's
 * answer; for a stream, time to the first chunk minus time to the upstream's headers (the rest of a
 * stream is the provider's pace, not ours).
 */
function overheadOf(summary: RequestSummary): number | undefined {
  const served = summary.servedBy;
  if (!served || summary.status !== 'success') return undefined;
  const end = summary.stream ? summary.firstTokenMs : summary.latencyMs;
  if (end === undefined) return undefined;
  return Math.max(0, end - served.upstreamLatencyMs);
}

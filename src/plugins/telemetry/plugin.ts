// The telemetry plugin: turns the engine's lifecycle events and the HTTP transport's per-request
// samples into Prometheus series. Everything here is synchronous counter arithmetic — no I/O, no
// awaiting — so it can run inline in `observe` without slowing the request it describes.
// Per-request state (method, custom label values, stream chunk gaps) lives in a bounded map from
// request start to request end.
import { hostname } from 'node:os';
import type { GatewayEvent, Logger, Plugin, RequestSummary } from '../../core/index.js';
import { silentLogger } from '../../core/index.js';
import type { PushGatewayConfig } from './config.js';
import {
  BIFROST_LABELS, customLabels, customLabelValues, governanceLabels, methodLabel,
  type LabelValues,
} from './labels.js';
import { createMetrics, type TelemetryMetrics } from './metrics.js';
import { startPushGateway, type PushGatewayClient } from './push-gateway.js';

export const TELEMETRY_PLUGIN_NAME = 'telemetry';

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

/** One HTTP exchange as the transport saw it. */
export interface HttpSample {
  method: string;
  /** Route template (`/v1/chat/completions`), not the raw URL, to bound cardinality. */
  path: string;
  status: number;
  durationSeconds: number;
  /** Body sizes in bytes; undefined when unknown (streamed). */
  requestBytes: number | undefined;
  responseBytes: number | undefined;
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

export interface TelemetryPlugin extends Plugin {
  readonly metrics: TelemetryMetrics;
  recordHttp(sample: HttpSample): void;
  /** The Prometheus text exposition of this plugin's registry. */
  exposition(): Promise<{ contentType: string; body: string }>;
  /** The push client when push mode is on. */
  readonly pushGateway: PushGatewayClient | undefined;
  close(): Promise<void>;
}

interface RequestState {
  method: string;
  custom: LabelValues;
  firstChunkMs: number | undefined;
  gapsMs: number[];
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
    inflight.set(ctx.requestId, { method, custom: customLabelValues(custom, ctx.headers), firstChunkMs: undefined, gapsMs: [] });
    metrics.activeRequests.inc({ method });
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
    if (state) metrics.activeRequests.dec({ method });
    const labels = bifrostLabels(summary, method, state?.custom ?? customLabelValues(custom, summary.ctx.headers));
    recordSummary(metrics, summary, labels);
    const firstMs = summary.firstTokenMs ?? state?.firstChunkMs;
    if (summary.stream && firstMs !== undefined) metrics.streamFirstTokenLatency.observe(labels, firstMs / 1000);
    for (const gap of state?.gapsMs ?? []) metrics.streamInterTokenLatency.observe(labels, gap / 1000);
  }

  return {
    name: TELEMETRY_PLUGIN_NAME,
    metrics,
    pushGateway,
    observe,
    recordHttp(sample) {
      const labels: LabelValues = {
        path: sample.path, method: sample.method, status: String(sample.status),
        ...customLabelValues(custom, sample.headers),
      };
      metrics.httpRequestsTotal.inc(labels);
      metrics.httpRequestDuration.observe(labels, sample.durationSeconds);
      if (sample.requestBytes !== undefined && sample.requestBytes >= 0) metrics.httpRequestSize.observe(labels, sample.requestBytes);
      if (sample.responseBytes !== undefined && sample.responseBytes >= 0) metrics.httpResponseSize.observe(labels, sample.responseBytes);
    },
    async exposition() {
      return { contentType: metrics.registry.contentType, body: await metrics.registry.metrics() };
    },
    async close() {
      await pushGateway?.close();
    },
  };
}

function bifrostLabels(summary: RequestSummary, method: string, custom: LabelValues): LabelValues {
  const served = summary.servedBy;
  const labels: LabelValues = {};
  for (const name of BIFROST_LABELS) labels[name] = '';
  labels.provider = served?.provider ?? summary.request.target.provider;
  labels.model = served?.model ?? summary.request.target.model;
  labels.method = method;
  labels.selected_key_name = served?.keyName ?? '';
  labels.fallback_index = String(served?.fallbackIndex ?? 0);
  Object.assign(labels, governanceLabels(summary.ctx), custom);
  return labels;
}

function recordSummary(metrics: TelemetryMetrics, summary: RequestSummary, labels: LabelValues): void {
  const withExtra = (name: string, value: string): LabelValues => ({ ...labels, [name]: value });
  metrics.upstreamRequestsTotal.inc(labels);
  metrics.upstreamLatency.observe(withExtra('is_success', String(summary.status === 'success')), summary.latencyMs / 1000);
  metrics.requestRetries.observe(labels, summary.retries);
  if (summary.status === 'success') metrics.successRequestsTotal.inc(labels);
  else metrics.errorRequestsTotal.inc(withExtra('status_code', summary.error ? String(summary.error.status) : 'unknown'));
  if (summary.usage) {
    metrics.inputTokensTotal.inc(labels, summary.usage.prompt_tokens);
    metrics.outputTokensTotal.inc(labels, summary.usage.completion_tokens);
  }
  if (summary.cost !== undefined && summary.cost > 0) metrics.costTotal.inc(labels, summary.cost);
  const cacheType = cacheHitType(summary.output);
  if (cacheType !== undefined) metrics.cacheHitsTotal.inc(withExtra('cache_type', cacheType));
  const overheadMs = overheadOf(summary);
  if (overheadMs !== undefined) metrics.overheadLatency.observe(labels, overheadMs * 1000);
}

/** Bifrost reports cache hits in `extra_fields.cache_debug` of the response. */
function cacheHitType(output: unknown): string | undefined {
  if (!output || typeof output !== 'object') return undefined;
  const extra = (output as Record<string, unknown>).extra_fields;
  if (!extra || typeof extra !== 'object') return undefined;
  const debug = (extra as Record<string, unknown>).cache_debug;
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

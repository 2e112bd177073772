// The metric families of the telemetry plugin, declared on a registry the plugin owns (never the
// prom-client global one, so two gateways in one process — as in tests — do not collide). Names,
// types, label sets and buckets follow Bifrost's Prometheus plugin so existing dashboards and
// alerts keep working against Bifrost-TS.
import { Registry, exponentialBuckets } from 'prom-client';
import { Family } from './series.js';
import { BIFROST_LABELS, HTTP_LABELS } from './labels.js';

/** End-to-end and upstream latency, seconds; long tail for reasoning models. */
export const UPSTREAM_LATENCY_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30, 45, 60, 90, 120, 180, 300, 600, 900,
];
export const FIRST_TOKEN_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300];
export const INTER_TOKEN_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** 100 B to 1 GB. */
export const SIZE_BUCKETS = exponentialBuckets(100, 10, 8);
export const RETRY_BUCKETS = [0, 1, 2, 3, 5, 10];
/** Gateway overhead is measured in microseconds: tens of µs up to a quarter second. */
export const OVERHEAD_BUCKETS = [10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 25_000, 50_000, 100_000, 250_000];

export interface TelemetryMetrics {
  registry: Registry;
  httpRequestsTotal: Family;
  httpRequestDuration: Family;
  httpRequestSize: Family;
  httpResponseSize: Family;
  upstreamRequestsTotal: Family;
  upstreamLatency: Family;
  successRequestsTotal: Family;
  errorRequestsTotal: Family;
  inputTokensTotal: Family;
  outputTokensTotal: Family;
  cacheHitsTotal: Family;
  costTotal: Family;
  streamFirstTokenLatency: Family;
  streamInterTokenLatency: Family;
  activeRequests: Family;
  overheadLatency: Family;
  requestRetries: Family;
}

export function createMetrics(customLabelNames: readonly string[]): TelemetryMetrics {
  const registry = new Registry();
  const http = [...HTTP_LABELS, ...customLabelNames];
  const base = [...BIFROST_LABELS, ...customLabelNames];
  const withExtra = (extra: string): string[] => [...BIFROST_LABELS, extra, ...customLabelNames];
  const counter = (name: string, help: string, labelNames: string[]): Family =>
    new Family(name, help, 'counter', { labelNames, registry });
  const histogram = (name: string, help: string, labelNames: string[], buckets: number[]): Family =>
    new Family(name, help, 'histogram', { labelNames, buckets, registry });

  return {
    registry,
    httpRequestsTotal: counter('http_requests_total', 'Total number of HTTP requests.', http),
    httpRequestDuration: histogram('http_request_duration_seconds', 'Duration of HTTP requests.', http,
      UPSTREAM_LATENCY_BUCKETS),
    httpRequestSize: histogram('http_request_size_bytes', 'Size of HTTP requests.', http, SIZE_BUCKETS),
    httpResponseSize: histogram('http_response_size_bytes', 'Size of HTTP responses.', http, SIZE_BUCKETS),
    upstreamRequestsTotal: counter('bifrost_upstream_requests_total',
      'Total number of requests forwarded to upstream providers by Bifrost.', base),
    upstreamLatency: histogram('bifrost_upstream_latency_seconds',
      'Latency of requests forwarded to upstream providers by Bifrost.', withExtra('is_success'),
      UPSTREAM_LATENCY_BUCKETS),
    successRequestsTotal: counter('bifrost_success_requests_total',
      'Total number of successful requests forwarded to upstream providers by Bifrost.', base),
    errorRequestsTotal: counter('bifrost_error_requests_total',
      'Total number of error requests forwarded to upstream providers by Bifrost.', withExtra('status_code')),
    inputTokensTotal: counter('bifrost_input_tokens_total',
      'Total number of input tokens forwarded to upstream providers by Bifrost.', base),
    outputTokensTotal: counter('bifrost_output_tokens_total',
      'Total number of output tokens forwarded to upstream providers by Bifrost.', base),
    cacheHitsTotal: counter('bifrost_cache_hits_total',
      'Total number of cache hits, separated by cache type (direct/semantic).', withExtra('cache_type')),
    costTotal: counter('bifrost_cost_total', 'Total cost in USD for requests to upstream providers.', base),
    streamFirstTokenLatency: histogram('bifrost_stream_first_token_latency_seconds',
      'Latency of the first token of a stream response.', base, FIRST_TOKEN_BUCKETS),
    streamInterTokenLatency: histogram('bifrost_stream_inter_token_latency_seconds',
      'Latency of the intermediate tokens of a stream response.', base, INTER_TOKEN_BUCKETS),
    activeRequests: new Family('bifrost_active_requests', 'Number of LLM requests currently in-flight.', 'gauge',
      { labelNames: ['method'], registry }),
    overheadLatency: histogram('bifrost_overhead_latency_microseconds',
      'Time the gateway added to a request: total time minus time waiting on the upstream provider.', base,
      OVERHEAD_BUCKETS),
    requestRetries: histogram('bifrost_request_retries',
      'Number of retries used per request (observed once per request).', base, RETRY_BUCKETS),
  };
}

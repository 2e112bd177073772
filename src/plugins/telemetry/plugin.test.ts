import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CACHE_DEBUG, Cancellation, GatewayError, type GatewayEvent, type RequestContext, type RequestSummary } from '../../core/index.js';
import { createTelemetryPlugin } from './plugin.js';
import { parsePrometheusText, total, find } from '../../../test/e2e/observability/support/prom-text.js';

function ctx(id: string, headers: Record<string, string> = {}): RequestContext {
  return { requestId: id, cancellation: new Cancellation(), headers, startedAt: 0, values: new Map() };
}

function summary(c: RequestContext, over: Partial<RequestSummary> = {}): RequestSummary {
  const request = { requestType: 'chat_completion' as const, target: { provider: 'openai', model: 'gpt-4o' },
    fallbacks: [], body: {}, stream: false };
  return {
    requestId: c.requestId, requestType: 'chat_completion', stream: false, requestedModel: 'openai/gpt-4o',
    servedBy: { provider: 'openai', model: 'gpt-4o', requestedModel: 'openai/gpt-4o', fallbackIndex: 0,
      keyName: 'k1', attempts: 1, upstreamLatencyMs: 40 },
    status: 'success', error: undefined, usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
    cost: 0.002, latencyMs: 50, firstTokenMs: undefined, retries: 0, failedTargets: [], request, ctx: c, output: {}, ...over,
  };
}

/** A request's events as the engine sends them; `attempts` upstream calls (0: a plugin answered or refused it). */
function run(plugin: ReturnType<typeof createTelemetryPlugin>, c: RequestContext, s: RequestSummary, chunks = 0, attempts = 1): void {
  plugin.observe!({ type: 'request.start', request: s.request, ctx: c });
  for (let retry = 0; retry < attempts; retry += 1) {
    plugin.observe!({ type: 'upstream.attempt', ctx: c, provider: 'openai', model: 'gpt-4o', keyName: 'k1', status: 200, latencyMs: 40, retry });
  }
  for (let i = 0; i < chunks; i += 1) {
    plugin.observe!({ type: 'stream.chunk', ctx: c, index: i, sinceStartMs: 100 + i * 20, sincePreviousMs: i === 0 ? 100 : 20 });
  }
  plugin.observe!({ type: 'request.end', summary: s } satisfies GatewayEvent);
}

test('request summaries become Bifrost upstream series with the right labels and values', async () => {
  const plugin = createTelemetryPlugin({ customLabels: ['team', 'env-name'] });
  const c1 = ctx('r1', { 'x-bf-dim-team': 'search', 'x-bf-prom-env-name': 'prod' });
  run(plugin, c1, summary(c1));
  const c2 = ctx('r2', { 'x-bf-dim-team': 'search' });
  run(plugin, c2, summary(c2, { usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 }, retries: 2 }));
  const c3 = ctx('r3');
  run(plugin, c3, summary(c3, { status: 'error', usage: undefined, cost: undefined, servedBy: undefined,
    error: new GatewayError('rate limited', { status: 429, type: 'rate_limited' }) }));

  const m = parsePrometheusText((await plugin.exposition()).body);
  assert.equal(total(m, 'bifrost_upstream_requests_total'), 3);
  assert.equal(total(m, 'bifrost_success_requests_total', { team: 'search' }), 2);
  assert.equal(total(m, 'bifrost_success_requests_total', { env_name: 'prod' }), 1);
  assert.equal(total(m, 'bifrost_error_requests_total', { status_code: '429', provider: 'openai', model: 'gpt-4o' }), 1);
  assert.equal(total(m, 'bifrost_input_tokens_total'), 13);
  assert.equal(total(m, 'bifrost_output_tokens_total'), 7);
  assert.ok(Math.abs(total(m, 'bifrost_cost_total') - 0.004) < 1e-12);
  assert.equal(total(m, 'bifrost_upstream_latency_seconds_count', { is_success: 'true' }), 2);
  assert.equal(total(m, 'bifrost_upstream_latency_seconds_count', { is_success: 'false' }), 1);
  assert.equal(total(m, 'bifrost_request_retries_sum'), 2);
  assert.equal(total(m, 'bifrost_active_requests'), 0);
  const series = find(m, 'bifrost_upstream_requests_total', { team: 'search', env_name: 'prod' })[0]!;
  assert.deepEqual(Object.keys(series.labels).sort(), [
    'alias', 'customer_id', 'customer_name', 'env_name', 'fallback_index', 'method', 'model', 'provider',
    'routing_engine_used', 'routing_rule_id', 'routing_rule_name', 'selected_key_id', 'selected_key_name',
    'team', 'team_id', 'team_name', 'virtual_key_id', 'virtual_key_name'].sort());
  assert.equal(series.labels.method, 'chat_completion');
  assert.equal(series.labels.selected_key_name, 'k1');
  // overhead: 50 ms total - 40 ms upstream = 10 ms = 10,000 µs, twice
  assert.equal(total(m, 'bifrost_overhead_latency_microseconds_sum'), 20_000);
});

test('requests a plugin refused or answered before any provider call are not upstream requests', async () => {
  const plugin = createTelemetryPlugin();
  const served = ctx('ok');
  run(plugin, served, summary(served));
  // Governance's pre-hook refusals: nothing was forwarded, whatever the status.
  for (const [status, type] of [[400, 'virtual_key_required'], [402, 'budget_exceeded'], [403, 'model_blocked'], [429, 'rate_limited']] as const) {
    const c = ctx(`gov-${status}`);
    run(plugin, c, summary(c, { status: 'error', usage: undefined, cost: undefined, servedBy: undefined,
      failedTargets: [{ provider: 'openai', model: 'gpt-4o', fallbackIndex: 0, latencyMs: 1, error: new GatewayError(type, { status, type }) }],
      error: new GatewayError(type, { status, type }) }), 0, 0);
  }
  // A cached answer short-circuited by a plugin: a cache hit, not an upstream request.
  const cached = ctx('cached');
  cached.values.set(CACHE_DEBUG, { cache_hit: true, hit_type: 'direct' });
  run(plugin, cached, summary(cached), 0, 0);
  // A provider that failed after two attempts did get the request.
  const failed = ctx('failed');
  run(plugin, failed, summary(failed, { status: 'error', servedBy: undefined, usage: undefined, cost: undefined, retries: 1,
    error: new GatewayError('upstream down', { status: 502, type: 'upstream_connection_error' }) }), 0, 2);

  const m = parsePrometheusText((await plugin.exposition()).body);
  assert.equal(total(m, 'bifrost_upstream_requests_total'), 2);
  assert.equal(total(m, 'bifrost_success_requests_total'), 1);
  assert.equal(total(m, 'bifrost_error_requests_total'), 1);
  assert.equal(total(m, 'bifrost_error_requests_total', { status_code: '502' }), 1);
  assert.equal(total(m, 'bifrost_upstream_latency_seconds_count'), 2);
  assert.equal(total(m, 'bifrost_request_retries_count'), 2);
  assert.equal(total(m, 'bifrost_input_tokens_total'), 10);
  assert.equal(total(m, 'bifrost_cache_hits_total', { cache_type: 'direct' }), 1);
  assert.equal(total(m, 'bifrost_active_requests'), 0);
});

test('streams record first-token and inter-token latency and the _stream method', async () => {
  const plugin = createTelemetryPlugin();
  const c = ctx('s1');
  const s = summary(c, { stream: true, firstTokenMs: 100 });
  s.request.stream = true;
  run(plugin, c, s, 4);
  const m = parsePrometheusText((await plugin.exposition()).body);
  assert.equal(total(m, 'bifrost_stream_first_token_latency_seconds_count', { method: 'chat_completion_stream' }), 1);
  assert.equal(total(m, 'bifrost_stream_first_token_latency_seconds_sum'), 0.1);
  assert.equal(total(m, 'bifrost_stream_inter_token_latency_seconds_count'), 3);
  assert.ok(Math.abs(total(m, 'bifrost_stream_inter_token_latency_seconds_sum') - 0.06) < 1e-9);
});

test('active requests rise on start and fall on end; cache hits counted by type', async () => {
  const plugin = createTelemetryPlugin();
  const c = ctx('a1');
  c.values.set(CACHE_DEBUG, { cache_hit: true, hit_type: 'semantic' });
  const s = summary(c);
  plugin.observe!({ type: 'request.start', request: s.request, ctx: c });
  let m = parsePrometheusText((await plugin.exposition()).body);
  assert.equal(total(m, 'bifrost_active_requests', { method: 'chat_completion' }), 1);
  plugin.observe!({ type: 'request.end', summary: s });
  m = parsePrometheusText((await plugin.exposition()).body);
  assert.equal(total(m, 'bifrost_active_requests', { method: 'chat_completion' }), 0);
  assert.equal(total(m, 'bifrost_cache_hits_total', { cache_type: 'semantic' }), 1);
});

test('http samples feed the http_* families with path/method/status and custom labels', async () => {
  const plugin = createTelemetryPlugin({ customLabels: ['tenant'] });
  plugin.recordHttp({ method: 'POST', path: '/v1/chat/completions', status: 200, durationSeconds: 0.02,
    requestBytes: 150, responseBytes: 2500, headers: { 'x-bf-dim-tenant': 'acme' } });
  plugin.recordHttp({ method: 'POST', path: '/v1/chat/completions', status: 200, durationSeconds: 0.03,
    requestBytes: 150, responseBytes: undefined, headers: {} });
  const m = parsePrometheusText((await plugin.exposition()).body);
  assert.equal(m.get('http_requests_total')?.type, 'counter');
  assert.equal(m.get('http_request_size_bytes')?.type, 'histogram');
  assert.equal(total(m, 'http_requests_total', { path: '/v1/chat/completions', method: 'POST', status: '200' }), 2);
  assert.equal(total(m, 'http_requests_total', { tenant: 'acme' }), 1);
  assert.equal(total(m, 'http_response_size_bytes_count'), 1);
  // size buckets: 100 B ×10, 8 of them, then +Inf
  const les = find(m, 'http_request_size_bytes_bucket', { tenant: 'acme' }).map((s) => s.labels.le);
  assert.deepEqual(les, ['100', '1000', '10000', '100000', '1000000', '10000000', '100000000', '1000000000', '+Inf']);
});

test('every metric family Bifrost documents is declared with its type', async () => {
  const plugin = createTelemetryPlugin();
  const m = parsePrometheusText((await plugin.exposition()).body);
  const expected: Record<string, string> = {
    http_requests_total: 'counter', http_request_duration_seconds: 'histogram', http_request_size_bytes: 'histogram',
    http_response_size_bytes: 'histogram', bifrost_upstream_requests_total: 'counter',
    bifrost_upstream_latency_seconds: 'histogram', bifrost_success_requests_total: 'counter',
    bifrost_error_requests_total: 'counter', bifrost_input_tokens_total: 'counter', bifrost_output_tokens_total: 'counter',
    bifrost_cost_total: 'counter', bifrost_cache_hits_total: 'counter',
    bifrost_stream_first_token_latency_seconds: 'histogram', bifrost_stream_inter_token_latency_seconds: 'histogram',
    bifrost_active_requests: 'gauge', bifrost_overhead_latency_microseconds: 'histogram', bifrost_request_retries: 'histogram',
  };
  for (const [name, type] of Object.entries(expected)) assert.equal(m.get(name)?.type, type, name);
});

test('invalid custom label names are rejected with a warning, clashing ones ignored', () => {
  const warnings: object[] = [];
  const logger = { debug() {}, info() {}, error() {}, warn(o: object) { warnings.push(o); } };
  const plugin = createTelemetryPlugin({ customLabels: ['provider', '9bad', 'ok'], logger });
  assert.equal(warnings.length, 1);
  assert.ok(plugin.metrics.upstreamRequestsTotal);
});

test('series per family are capped; header-driven label sets past the cap share one _OTHER series', async () => {
  const { MAX_SERIES } = await import('./series.js');
  const plugin = createTelemetryPlugin({ customLabels: ['tenant'] });
  for (let i = 0; i < MAX_SERIES + 50; i += 1) {
    plugin.recordHttp({ method: 'GET', path: '/x', status: 200, durationSeconds: 0.001, requestBytes: undefined,
      responseBytes: undefined, headers: { 'x-bf-dim-tenant': `t${i}` } });
  }
  const m = parsePrometheusText((await plugin.exposition()).body);
  assert.equal(find(m, 'http_requests_total').length, MAX_SERIES + 1);
  assert.equal(total(m, 'http_requests_total', { tenant: '_OTHER' }), 50);
  assert.equal(total(m, 'http_requests_total'), MAX_SERIES + 50);
});

test('telemetry never reads a response or stream output (that would parse forwarded bodies)', async () => {
  const plugin = createTelemetryPlugin();
  let reads = 0;
  for (const [id, stream] of [['l1', true], ['l2', false]] as const) {
    const c = ctx(id);
    const s = summary(c, { stream, firstTokenMs: 5 });
    Object.defineProperty(s, 'output', { enumerable: true, get: () => { reads += 1; return 'content'; } });
    run(plugin, c, s, stream ? 3 : 0);
  }
  assert.equal(reads, 0);
  const m = parsePrometheusText((await plugin.exposition()).body);
  assert.equal(total(m, 'bifrost_stream_inter_token_latency_seconds_count', {}), 2);
});

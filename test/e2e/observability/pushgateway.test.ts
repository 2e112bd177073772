// Push mode against a real Prometheus Pushgateway: periodic pushes arrive grouped by job and
// instance, values match the gateway's own registry, and closing the plugin makes a last push.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cancellation, type RequestContext, type RequestSummary } from '../../../src/core/index.js';
import { createTelemetryPlugin, telemetryConfigSchema } from '../../../src/plugins/telemetry/index.js';
import { startPushgateway } from './support/pushgateway.js';
import { parsePrometheusText, total } from './support/prom-text.js';
import { waitFor } from '../../support/wait.js';

function finished(id: string): RequestSummary {
  const ctx: RequestContext = { requestId: id, cancellation: new Cancellation(), headers: {}, startedAt: 0, values: new Map() };
  const request = { requestType: 'chat_completion' as const, target: { provider: 'openai', model: 'gpt-4o-mini' },
    fallbacks: [], body: {}, stream: false };
  return {
    requestId: id, requestType: 'chat_completion', stream: false, requestedModel: 'openai/gpt-4o-mini',
    servedBy: { provider: 'openai', model: 'gpt-4o-mini', requestedModel: 'openai/gpt-4o-mini', fallbackIndex: 0,
      keyName: 'k', attempts: 1, upstreamLatencyMs: 5 },
    status: 'success', error: undefined, usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 },
    cost: undefined, latencyMs: 6, firstTokenMs: undefined, retries: 0, failedTargets: [], request, ctx, output: {},
  };
}

/** A request's events as the engine sends them for one that reached the provider in one attempt. */
function observeRequest(plugin: ReturnType<typeof createTelemetryPlugin>, s: RequestSummary): void {
  plugin.observe!({ type: 'request.start', request: s.request, ctx: s.ctx });
  plugin.observe!({ type: 'upstream.attempt', ctx: s.ctx, provider: 'openai', model: 'gpt-4o-mini', keyName: 'k', status: 200, latencyMs: 5, retry: 0 });
  plugin.observe!({ type: 'request.end', summary: s });
}

test('pushes reach a real Pushgateway periodically and once more at shutdown', async (t) => {
  const gateway = await startPushgateway();
  t.after(() => gateway.stop());
  const config = telemetryConfigSchema.parse({
    push_gateway: { enabled: true, push_gateway_url: gateway.url, job_name: 'bifrost-test', instance_id: 'replica-a', push_interval: 1 },
  });
  const plugin = createTelemetryPlugin({ pushGateway: config.push_gateway });
  const push = plugin.pushGateway!;

  observeRequest(plugin, finished('p1'));

  const grouped = { job: 'bifrost-test', instance: 'replica-a' };
  await waitFor(async () => {
    const m = parsePrometheusText(await gateway.scrape());
    return total(m, 'bifrost_upstream_requests_total', grouped) === 1;
  }, { timeoutMs: 10_000, message: 'pushgateway shows bifrost_upstream_requests_total=1 for job/instance' });
  const periodic = push.pushes;
  assert.ok(periodic >= 1);

  // Two more requests, then shut down: the final push must carry them even if no tick came.
  for (const id of ['p2', 'p3']) {
    observeRequest(plugin, finished(id));
  }
  await plugin.close();
  const m = parsePrometheusText(await gateway.scrape());
  assert.equal(total(m, 'bifrost_upstream_requests_total', grouped), 3);
  assert.equal(total(m, 'bifrost_input_tokens_total', grouped), 21);
  assert.equal(total(m, 'bifrost_output_tokens_total', { ...grouped, provider: 'openai', model: 'gpt-4o-mini' }), 9);
  assert.equal(total(m, 'push_failure_time_seconds', grouped), 0, 'gateway recorded no failed push');
  assert.ok(total(m, 'push_time_seconds', grouped) > 0, 'gateway recorded a successful push');
});

test('basic auth credentials are sent with every push', async (t) => {
  // The Pushgateway has no auth of its own here; a tiny recorder in front of it checks the header.
  const { createServer } = await import('node:http');
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(String(req.headers.authorization));
    req.resume();
    req.on('end', () => { res.statusCode = 200; res.end(); });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const config = telemetryConfigSchema.parse({ push_gateway: { enabled: true, push_gateway_url: `http://127.0.0.1:${port}/`,
    instance_id: 'x', push_interval: 300, basic_auth: { username: 'u', password: 'p@ss' } } });
  const plugin = createTelemetryPlugin({ pushGateway: config.push_gateway });
  await plugin.close();
  assert.ok(seen.length >= 1);
  assert.ok(seen.every((h) => h === `Basic ${Buffer.from('u:p@ss').toString('base64')}`), seen.join(','));
});

test('push_gateway config is validated like Bifrost: interval 1–300, URL required when enabled', () => {
  assert.throws(() => telemetryConfigSchema.parse({ push_gateway: { enabled: true, push_gateway_url: 'nope' } }), /push_gateway_url/);
  assert.throws(() => telemetryConfigSchema.parse({ push_gateway: { enabled: true, push_gateway_url: 'http://x', push_interval: 0 } }));
  const ok = telemetryConfigSchema.parse({ push_gateway: { enabled: true, push_gateway_url: 'http://x' } });
  assert.equal(ok.push_gateway?.job_name, 'bifrost');
  assert.equal(ok.push_gateway?.push_interval, 15);
});

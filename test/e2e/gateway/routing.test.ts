// Routing behaviour seen from a client: fallbacks, retries with backoff, weighted keys, the bounded
// queue, upstream timeouts and cancellation when the caller goes away.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { waitFor } from '../../support/wait.js';
import { openaiProvider, startStack } from './harness.js';

const chatBody = (model = 'openai/gpt-4o', extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], ...extra });

test('fallback: primary answers 500, the fallback provider serves the request', async () => {
  const stack = await startStack({ config: (origin) => ({ providers: {
    openai: openaiProvider(origin, { keys: [{ name: 'primary', value: 'sk-primary', models: ['*'] }] }),
    backup: { keys: [{ name: 'b', value: 'sk-backup', models: ['*'] }], network_config: { base_url: origin },
      custom_provider_config: { base_provider_type: 'openai' } },
  } }) });
  try {
    stack.fake.behave({ apiKey: 'sk-primary', status: 500, times: Infinity });
    const { data, response } = await stack.client.chat.completions.create({
      model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'x' }], fallbacks: ['backup/gpt-4o-mini'],
    } as never).withResponse();
    assert.equal((data as { object: string }).object, 'chat.completion');
    assert.equal(response.headers.get('x-bifrost-provider'), 'backup');
    assert.equal(response.headers.get('x-bifrost-fallback-index'), '1');
    assert.equal(response.headers.get('x-bifrost-routing-info-is-fallback'), 'true');
    assert.equal(response.headers.get('x-bifrost-routing-info-primary-provider'), 'openai');
    assert.equal(response.headers.get('x-bifrost-routing-info-primary-model'), 'gpt-4o');
    assert.equal(response.headers.get('x-bifrost-resolved-model'), 'gpt-4o-mini');
    assert.deepEqual(stack.fake.requests.map((r) => r.apiKey), ['sk-primary', 'sk-backup']);
    assert.equal(stack.fake.requests[1]!.body?.model, 'gpt-4o-mini');
    assert.ok(!('fallbacks' in stack.fake.requests[1]!.body!), 'fallbacks are not sent upstream');
  } finally {
    await stack.close();
  }
});

test('retry after 429 waits for the backoff, then succeeds', async () => {
  const stack = await startStack({ config: (origin) => ({ providers: { openai: openaiProvider(origin, {
    network_config: { base_url: origin, max_retries: 2, retry_backoff_initial: 300, retry_backoff_max: 2000 } }) } }) });
  try {
    stack.fake.failNext(1, 429);
    const started = performance.now();
    const res = await stack.post('/v1/chat/completions', chatBody());
    const elapsed = performance.now() - started;
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(stack.fake.requests.length, 2, 'one failed attempt, one retry');
    // initial backoff 300 ms with ±20 % jitter → at least 240 ms before the retry.
    assert.ok(elapsed >= 230, `retry came after ${elapsed.toFixed(0)} ms, expected >= 240 ms of backoff`);
  } finally {
    await stack.close();
  }
});

test('key weights: 1,000 requests split about 1:3 between two keys', async () => {
  const stack = await startStack({ config: (origin) => ({ providers: { openai: openaiProvider(origin, { keys: [
    { name: 'light', value: 'sk-light', models: ['*'], weight: 1 },
    { name: 'heavy', value: 'sk-heavy', models: ['*'], weight: 3 },
  ] }) } }) });
  try {
    const total = 1000;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < total) {
        next++;
        const res = await stack.post('/v1/chat/completions', chatBody());
        assert.equal(res.status, 200);
        await res.arrayBuffer();
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    const heavy = stack.fake.requests.filter((r) => r.apiKey === 'sk-heavy').length;
    const light = stack.fake.requests.filter((r) => r.apiKey === 'sk-light').length;
    assert.equal(heavy + light, total);
    // Binomial(1000, 0.75): sd ≈ 13.7; ±60 is > 4 sd.
    assert.ok(Math.abs(heavy - 750) <= 60, `heavy key got ${heavy}/1000, expected 750 ± 60`);
  } finally {
    await stack.close();
  }
});

test('queue full with drop_excess_requests → immediate 429 in Bifrost error JSON', async () => {
  const stack = await startStack({ config: (origin) => ({
    client: { drop_excess_requests: true },
    providers: { openai: openaiProvider(origin, { concurrency_and_buffer_size: { concurrency: 1, buffer_size: 1 } }) },
  }) });
  try {
    stack.fake.behave({ delayMs: 2000, times: 2 });
    const first = stack.post('/v1/chat/completions', chatBody());
    await waitFor(() => stack.fake.requests.length === 1, { message: 'first request reaches the upstream' });
    // One of the next two takes the single queue slot; the other finds the queue full.
    const results = await Promise.all([stack.post('/v1/chat/completions', chatBody()), stack.post('/v1/chat/completions', chatBody())]);
    const statuses = results.map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, 429], `statuses ${statuses.join(', ')}`);
    const rejected = results.find((r) => r.status === 429)!;
    const body = await rejected.json() as { is_bifrost_error: boolean; status_code: number; error: { message: string } };
    assert.equal(body.status_code, 429);
    assert.equal(body.is_bifrost_error, true);
    assert.match(body.error.message, /queue|drop/i);
    assert.equal((await first).status, 200);
  } finally {
    await stack.close();
  }
});

test('upstream timeout → Bifrost error, well before the upstream would answer', async () => {
  const stack = await startStack({ config: (origin) => ({ providers: { openai: openaiProvider(origin, {
    network_config: { base_url: origin, default_request_timeout_in_seconds: 0.5 } }) } }) });
  try {
    stack.fake.behave({ delayMs: 5000 });
    const started = performance.now();
    const res = await stack.post('/v1/chat/completions', chatBody());
    const elapsed = performance.now() - started;
    assert.ok(res.status >= 500, `status ${res.status}`);
    const body = await res.json() as { is_bifrost_error: boolean; error: { message: string }; extra_fields: { provider: string } };
    assert.equal(body.is_bifrost_error, true);
    assert.match(body.error.message, /did not respond within|time/i);
    assert.equal(body.extra_fields.provider, 'openai');
    assert.ok(elapsed < 3000, `took ${elapsed.toFixed(0)} ms`);
  } finally {
    await stack.close();
  }
});

test('a client that disconnects cancels its upstream request', async () => {
  const stack = await startStack();
  try {
    stack.fake.behave({ hang: true });
    const controller = new AbortController();
    const client = new OpenAI({ baseURL: `${stack.gw.url}/v1`, apiKey: 'x', maxRetries: 0 });
    const pending = client.chat.completions.create({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'x' }] }, { signal: controller.signal });
    const rec = await waitFor(() => stack.fake.requests[0], { message: 'request reaches the upstream' });
    controller.abort();
    await assert.rejects(pending);
    await Promise.race([rec.done, new Promise((_, reject) => setTimeout(() => reject(new Error('upstream request still open 3 s after the client left')), 3000))]);
    assert.equal(rec.aborted, true);
  } finally {
    await stack.close();
  }
});

// SSE through the gateway: chunks must reach the client one by one as the upstream produces them
// (timing asserted, not just the final text), framing must match Bifrost (§2.6).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type Stack } from './harness.js';

let stack: Stack;
before(async () => { stack = await startStack(); });
after(async () => { await stack?.close(); });

const GAP_MS = 200;

test('chat stream: each chunk arrives as the upstream sends it (not buffered to the end)', async () => {
  stack.fake.behave({ path: '/v1/chat/completions', chunks: 5, chunkDelayMs: GAP_MS });
  const started = performance.now();
  const stream = await stack.client.chat.completions.create({
    model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'stream please' }], stream: true, stream_options: { include_usage: true },
  });
  const arrivals: Array<{ at: number; content: string }> = [];
  let usage: unknown;
  for await (const chunk of stream) {
    const content = chunk.choices[0]?.delta?.content;
    if (content) arrivals.push({ at: performance.now() - started, content });
    if (chunk.usage) usage = chunk.usage;
  }
  assert.equal(arrivals.length, 5, `content chunks: ${JSON.stringify(arrivals)}`);
  // Upstream spaces content chunks GAP_MS apart; buffering would collapse the gaps to ~0. The
  // median gap (robust to one delayed chunk on a loaded machine) and the overall spread must
  // both show the pacing.
  const gaps = arrivals.slice(1).map((a, i) => a.at - arrivals[i]!.at).sort((x, y) => x - y);
  const median = gaps[Math.floor(gaps.length / 2)]!;
  const detail = `arrivals (ms): ${arrivals.map((a) => a.at.toFixed(0)).join(', ')}`;
  assert.ok(median >= GAP_MS * 0.5, `median gap ${median.toFixed(0)} ms, expected ~${GAP_MS}; ${detail}`);
  const spread = arrivals.at(-1)!.at - arrivals[0]!.at;
  assert.ok(spread >= GAP_MS * 4 * 0.6, `first-to-last spread ${spread.toFixed(0)} ms, expected ~${GAP_MS * 4}; ${detail}`);
  assert.ok(usage, 'usage delivered on the final chunk');
});

test('raw SSE framing: headers, one data line per event, [DONE] terminator', async () => {
  const res = await stack.post('/v1/chat/completions', JSON.stringify({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'x' }], stream: true }));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/event-stream');
  assert.equal(res.headers.get('cache-control'), 'no-cache');
  assert.equal(res.headers.get('x-bifrost-provider'), 'openai');
  const text = await res.text();
  const events = text.split('\n\n').filter((e) => e.length > 0);
  assert.equal(events.at(-1), 'data: [DONE]');
  for (const event of events.slice(0, -1)) {
    assert.match(event, /^data: \{.*\}$/s);
    JSON.parse(event.slice('data: '.length));
  }
});

test('Responses API stream: event lines, no [DONE], SDK reads it', async () => {
  const res = await stack.post('/v1/responses', JSON.stringify({ model: 'openai/gpt-4o', input: 'x', stream: true }));
  const text = await res.text();
  assert.ok(!text.includes('[DONE]'));
  assert.match(text, /^event: response\.created\ndata: \{/);
  assert.match(text, /event: response\.completed\ndata: /);
  const stream = await stack.client.responses.create({ model: 'openai/gpt-4o', input: 'hi', stream: true });
  const types: string[] = [];
  for await (const event of stream) types.push(event.type);
  assert.equal(types.at(-1), 'response.completed');
  assert.ok(types.includes('response.output_text.delta'));
});

test('an upstream failure after the stream started arrives as a data event with the error', async () => {
  stack.fake.behave({ path: '/v1/chat/completions', chunks: 5, chunkDelayMs: 100, breakAfterChunks: 2 });
  const res = await stack.post('/v1/chat/completions', JSON.stringify({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'x' }], stream: true }));
  assert.equal(res.status, 200);
  const text = await res.text();
  const last = text.split('\n\n').filter(Boolean).at(-1) ?? '';
  assert.match(last, /^data: /);
  const body = JSON.parse(last.slice(6));
  assert.ok(body.error?.message, `last event: ${last}`);
  assert.ok(!text.includes('[DONE]'), 'no [DONE] after an error');
});

import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeOpenAI, type FakeOpenAI } from '../../../test/support/fake-openai-upstream.js';
import { waitFor } from '../../../test/support/wait.js';
import { Cancellation } from '../cancellation.js';
import type { InferenceStream, StreamEvent } from '../types.js';
import { createGateway } from './create-gateway.js';
import { context, observer, provider, request, staticConfig } from './testing/fixtures.js';

let fake: FakeOpenAI;
before(async () => { fake = await startFakeOpenAI(); });
after(async () => { await fake.close(); });
beforeEach(() => fake.reset());

async function collect(stream: InferenceStream): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  for await (const ev of stream.events) out.push(ev);
  return out;
}

test('chat stream: chunks forwarded with extra_fields, [DONE] is the terminator, usage reaches request.end', async () => {
  const obs = observer();
  const gw = createGateway({ config: staticConfig({ openai: provider(fake.origin) }), plugins: [obs] });
  const stream = await gw.handle(request('openai/gpt-4o', {}, { stream: true }), context()) as InferenceStream;
  assert.equal(stream.kind, 'stream');
  assert.equal(stream.terminator, 'done');
  const events = await collect(stream);
  // role chunk + 3 content chunks + finish chunk; the usage chunk that include_usage (forced
  // upstream) adds is not shown to a caller that did not ask for it — but its usage is kept.
  assert.equal(events.length, 5);
  assert.ok(events.every((e) => Array.isArray(e.chunk.choices) && e.chunk.choices.length > 0), 'no usage-only chunk');
  assert.equal((fake.requests[0]!.body?.stream_options as { include_usage: boolean }).include_usage, true);
  events.forEach((ev, i) => {
    const extra = ev.chunk.extra_fields as Record<string, unknown>;
    assert.equal(extra.chunk_index, i);
    assert.equal(extra.provider, 'openai');
    assert.equal(extra.model_requested, 'gpt-4o');
    assert.equal(extra.request_type, 'chat_completion');
    assert.equal(typeof extra.latency, 'number');
    assert.equal(ev.chunk.object, 'chat.completion.chunk');
  });
  assert.ok(!events.some((e) => e.data.includes('[DONE]')));
  const end = obs.ends[0]!;
  assert.equal(end.status, 'success');
  assert.equal(end.stream, true);
  assert.deepEqual(end.usage, { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 });
  assert.equal(end.output, 'echo: hello world tok1 tok2');
  assert.equal(obs.events.filter((e) => e.type === 'stream.chunk').length, 5);
  assert.ok(end.firstTokenMs !== undefined);
  await gw.close();
});

test('chunks are delivered as they arrive, not buffered until the upstream finishes', async () => {
  fake.behave({ chunks: 4, chunkDelayMs: 150 });
  const gw = createGateway({ config: staticConfig({ openai: provider(fake.origin) }) });
  const stream = await gw.handle(request('openai/gpt-4o', {}, { stream: true }), context()) as InferenceStream;
  let upstreamDone = false;
  void fake.requests[0]!.done.then(() => { upstreamDone = true; });
  const iterator = stream.events[Symbol.asyncIterator]();
  const first = await iterator.next();
  const second = await iterator.next();
  assert.equal(first.done, false);
  assert.match(second.value!.data, /echo: hello world/);
  assert.equal(upstreamDone, false, 'first content chunk arrived while the upstream was still streaming');
  const t0 = Date.now();
  const third = await iterator.next();
  assert.match(third.value!.data, /tok1/);
  assert.ok(Date.now() - t0 >= 100, 'next chunk waited for the upstream pacing');
  while (!(await iterator.next()).done) { /* drain */ }
  await gw.close();
});

test('responses stream keeps event: names and has no terminator', async () => {
  const gw = createGateway({ config: staticConfig({ openai: provider(fake.origin) }) });
  const stream = await gw.handle(request('openai/gpt-4o', { input: 'hi', messages: undefined }, { type: 'responses', stream: true }), context()) as InferenceStream;
  assert.equal(stream.terminator, 'none');
  const events = await collect(stream);
  assert.equal(events[0]!.event, 'response.created');
  assert.equal(events.at(-1)!.event, 'response.completed');
  assert.equal(events.at(-1)!.chunk.type, 'response.completed');
  assert.equal((events.at(-1)!.chunk.extra_fields as { request_type: string }).request_type, 'responses');
  await gw.close();
});

test('text completion stream', async () => {
  const gw = createGateway({ config: staticConfig({ openai: provider(fake.origin) }) });
  const stream = await gw.handle(request('openai/instruct', { prompt: 'p', messages: undefined }, { type: 'text_completion', stream: true }), context()) as InferenceStream;
  const events = await collect(stream);
  assert.equal(events[0]!.chunk.object, 'text_completion');
  assert.equal(fake.requests[0]!.path, '/v1/completions');
  await gw.close();
});

test('upstream dies mid-stream → an error event is yielded (not thrown) and request.end reports the error', async () => {
  const obs = observer();
  fake.behave({ breakAfterChunks: 1 });
  const gw = createGateway({ config: staticConfig({ openai: provider(fake.origin) }), plugins: [obs] });
  const stream = await gw.handle(request('openai/gpt-4o', {}, { stream: true }), context()) as InferenceStream;
  const events = await collect(stream);
  const last = events.at(-1)!;
  assert.ok(last.error, 'last event carries the error');
  assert.equal(JSON.parse(last.data).error.type, 'upstream_connection_error');
  assert.equal(obs.ends[0]!.status, 'error');
  await gw.close();
});

test('an error status before the stream starts is thrown like a normal error', async () => {
  fake.failNext(1, 400, { message: 'bad stream request' });
  const gw = createGateway({ config: staticConfig({ openai: provider(fake.origin) }) });
  await assert.rejects(gw.handle(request('openai/gpt-4o', {}, { stream: true }), context()), /bad stream request/);
  await gw.close();
});

test('consumer stopping early closes the upstream connection', async () => {
  fake.behave({ chunks: 50, chunkDelayMs: 50 });
  const gw = createGateway({ config: staticConfig({ openai: provider(fake.origin) }) });
  const stream = await gw.handle(request('openai/gpt-4o', {}, { stream: true }), context()) as InferenceStream;
  for await (const ev of stream.events) { if (ev.data.includes('echo')) break; }
  await waitFor(() => fake.requests[0]!.aborted, { message: 'upstream sees the stream closed early' });
  await gw.close();
});

test('caller abort mid-stream cancels the upstream', async () => {
  fake.behave({ chunks: 50, chunkDelayMs: 50 });
  const obs = observer();
  const gw = createGateway({ config: staticConfig({ openai: provider(fake.origin) }), plugins: [obs] });
  const ac = new Cancellation();
  const stream = await gw.handle(request('openai/gpt-4o', {}, { stream: true }), context(ac)) as InferenceStream;
  const seen: StreamEvent[] = [];
  for await (const ev of stream.events) { seen.push(ev); if (seen.length === 2) ac.abort(); }
  await waitFor(() => fake.requests[0]!.aborted, { message: 'upstream sees the abort' });
  assert.ok(seen.length < 50);
  assert.equal(obs.ends[0]!.error?.type, 'request_cancelled');
  await gw.close();
});

test('closing the event iterator before reading anything still closes the upstream and ends the run', async () => {
  fake.behave({ chunks: 50, chunkDelayMs: 50 });
  const obs = observer();
  const gw = createGateway({ config: staticConfig({ openai: provider(fake.origin) }), plugins: [obs] });
  const stream = await gw.handle(request('openai/gpt-4o', {}, { stream: true }), context()) as InferenceStream;
  await stream.events[Symbol.asyncIterator]().return!();
  await waitFor(() => fake.requests[0]!.aborted, { message: 'upstream sees the stream closed' });
  assert.equal(obs.ends.length, 1);
  assert.equal(obs.ends[0]!.error?.type, 'request_cancelled');
  await gw.close();
});

test('an upstream that goes silent mid-stream past the timeout ends with a 504 timeout error event', async () => {
  fake.behave({ chunks: 3, chunkDelayMs: 5000 });
  const gw = createGateway({ config: staticConfig({ openai: provider(fake.origin, { network: { default_request_timeout_in_seconds: 0.3 } }) }) });
  const stream = await gw.handle(request('openai/gpt-4o', {}, { stream: true }), context()) as InferenceStream;
  const events = await collect(stream);
  const last = events.at(-1)!;
  assert.equal(last.error?.status, 504);
  assert.equal(last.error?.type, 'timeout');
  assert.ok(events.length >= 2, 'chunks before the silence were delivered');
  await gw.close();
});

test('a stream falls back to the next target when the primary fails before streaming', async () => {
  fake.behave({ model: 'broken', status: 503, times: Infinity });
  const gw = createGateway({ config: staticConfig({ openai: provider(fake.origin), groq: provider(fake.origin) }) });
  const stream = await gw.handle(request('openai/broken', {}, { stream: true, fallbacks: ['groq/works'] }), context()) as InferenceStream;
  assert.equal(stream.servedBy.provider, 'groq');
  const events = await collect(stream);
  assert.equal((events[0]!.chunk.extra_fields as { provider: string }).provider, 'groq');
  await gw.close();
});

test('a caller that asks for include_usage gets the usage-only chunk; the summary carries usage and cost', async () => {
  const obs = observer();
  const gw = createGateway({
    config: staticConfig({ openai: provider(fake.origin) }), plugins: [obs],
    cost: (p, m, u) => (p === 'openai' && m === 'gpt-4o' ? u.prompt_tokens * 0.5 + u.completion_tokens : undefined),
  });
  const stream = await gw.handle(request('openai/gpt-4o', { stream_options: { include_usage: true } }, { stream: true }), context()) as InferenceStream;
  const events = await collect(stream);
  assert.equal(events.length, 6);
  const last = events.at(-1)!.chunk;
  assert.deepEqual(last.choices, []);
  assert.deepEqual((last.usage as Record<string, number>).total_tokens, 5);
  assert.equal(obs.ends[0]!.cost, 2 * 0.5 + 3);
  await gw.close();
});

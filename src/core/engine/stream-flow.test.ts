// The engine stream's flow control, driven chunk by chunk: a reader that falls behind pauses the
// upstream socket, catching up resumes it, and nothing is lost or reordered either way. The body
// is a real PushedBody whose socket-side flow control is recorded, so each step is deterministic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger, systemClock, systemRandom, systemSleeper } from '../ports.js';
import { createProviderRegistry } from '../providers/registry.js';
import type { StreamEvent } from '../types.js';
import { PushedBody } from '../upstream/pushed-body.js';
import { createUpstreamClient } from '../upstream/client.js';
import type { EngineDeps } from './deps.js';
import { EventBus } from './events.js';
import { RequestRun } from './request-run.js';
import { streamEvents } from './stream.js';
import { context, observer, provider, request, staticConfig } from './testing/fixtures.js';

function recordedFlow() {
  const calls: string[] = [];
  return { calls, pause: () => calls.push('pause'), resume: () => calls.push('resume'), abort: () => calls.push('abort') };
}

function openStream() {
  const obs = observer();
  const config = staticConfig({ openai: provider('http://127.0.0.1:9') });
  const deps: EngineDeps = {
    config, plugins: [obs], hooked: false, logger: silentLogger, clock: systemClock, random: systemRandom,
    sleeper: systemSleeper, cost: undefined, registry: createProviderRegistry(), client: createUpstreamClient(),
    queues: new Map(), events: new EventBus([obs], silentLogger),
  };
  const req = request('openai/gpt-4o', {}, { stream: true });
  const run = new RequestRun(deps, req, context(), () => {});
  const flow = recordedFlow();
  const body = new PushedBody(flow);
  const adapter = deps.registry.resolve('openai', config.current().providers.openai!)!;
  const servedBy = { provider: 'openai', model: 'gpt-4o', requestedModel: 'openai/gpt-4o', fallbackIndex: 0, keyName: 'main', attempts: 1, upstreamLatencyMs: 1 };
  const events = streamEvents(deps, { upstream: { status: 200, headers: {}, body }, adapter, servedBy, timeoutMs: 1000, run });
  return { body, flow, events, obs };
}

const event = (i: number): Buffer =>
  Buffer.from(`data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: `t${i}` } }] })}\n\n`);
const contentOf = (e: StreamEvent): string => (e.chunk.choices as Array<{ delta: { content: string } }>)[0]!.delta.content;

test('a reader that falls behind pauses the upstream once 64 events wait, and catching up resumes it; order is kept', async () => {
  const { body, flow, events, obs } = openStream();
  for (let i = 0; i < 63; i++) body.data(event(i));
  assert.deepEqual(flow.calls, [], '63 unread events do not pause the upstream');
  body.data(event(63));
  assert.deepEqual(flow.calls, ['pause'], 'the 64th unread event pauses it');
  // Whatever the socket had already read still arrives while paused; it is queued, not dropped.
  for (let i = 64; i < 70; i++) body.data(event(i));
  assert.deepEqual(flow.calls, ['pause'], 'paused once, not once per chunk');
  const seen: string[] = [];
  for (let i = 0; i < 70; i++) {
    const next = await events.next();
    assert.equal(next.done, false);
    seen.push(contentOf(next.value as StreamEvent));
  }
  assert.deepEqual(seen, Array.from({ length: 70 }, (_, i) => `t${i}`));
  assert.deepEqual(flow.calls, ['pause', 'resume'], 'an emptied queue resumes the upstream');
  // A reader that keeps up gets each event as it is made and never pauses anything.
  const waiting = events.next();
  body.data(event(70));
  assert.equal(contentOf((await waiting).value as StreamEvent), 't70');
  body.data(Buffer.from('data: [DONE]\n\n'));
  body.end();
  assert.equal((await events.next()).done, true);
  assert.deepEqual(flow.calls, ['pause', 'resume']);
  assert.equal(obs.ends.length, 1);
  assert.equal(obs.ends[0]!.status, 'success');
});

test('closing the stream mid-way aborts the upstream once and ends the run as cancelled', async () => {
  const { body, flow, events, obs } = openStream();
  body.data(event(0));
  assert.equal(contentOf((await events.next()).value as StreamEvent), 't0');
  await events.return!();
  assert.deepEqual(flow.calls, ['abort']);
  body.data(event(1));
  await events.return!();
  assert.deepEqual(flow.calls, ['abort'], 'a second close does nothing');
  assert.equal((await events.next()).done, true);
  assert.equal(obs.ends.length, 1);
  assert.equal(obs.ends[0]!.status, 'error');
  assert.equal(obs.ends[0]!.error?.type, 'request_cancelled');
});

test('a second next() while one waits is refused, not silently lost; the first still gets its event', async () => {
  const { body, events } = openStream();
  const first = events.next();
  await assert.rejects(events.next(), /one next\(\) at a time/);
  body.data(event(0));
  assert.equal(contentOf((await first).value as StreamEvent), 't0');
  await events.return!();
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyTransportError, TransportFailure } from './client.js';
import { PushedBody, type BodyReader } from './pushed-body.js';

function recorder(): BodyReader & { log: string[] } {
  const log: string[] = [];
  return {
    log,
    onData: (chunk) => log.push(`data ${chunk.toString()}`),
    onEnd: () => log.push('end'),
    onError: (failure) => log.push(`error ${failure.kind}`),
  };
}

function flow() {
  const calls: string[] = [];
  return { calls, pause: () => calls.push('pause'), resume: () => calls.push('resume'), abort: (reason: Error) => calls.push(`abort ${classifyTransportError(reason, undefined).kind}`) };
}

test('chunks and the end that arrive before the reader are replayed to it in order', () => {
  const body = new PushedBody(flow());
  body.data(Buffer.from('a'));
  body.data(Buffer.from('b'));
  body.end();
  const reader = recorder();
  body.read(reader);
  assert.deepEqual(reader.log, ['data a', 'data b', 'end']);
});

test('a failure before the reader is replayed after the chunks that preceded it', () => {
  const body = new PushedBody(flow());
  body.data(Buffer.from('a'));
  body.fail(new TransportFailure('timeout', 'body timeout'));
  const reader = recorder();
  body.read(reader);
  assert.deepEqual(reader.log, ['data a', 'error timeout']);
});

test('after read, chunks go straight to the reader; a body has one reader', () => {
  const body = new PushedBody(flow());
  const reader = recorder();
  body.read(reader);
  body.data(Buffer.from('x'));
  assert.deepEqual(reader.log, ['data x']);
  assert.throws(() => body.read(recorder()), /one reader/);
});

test('cancel aborts the request once, with an error the client counts as a cancellation; then nothing more is delivered', () => {
  const control = flow();
  const body = new PushedBody(control);
  const reader = recorder();
  body.read(reader);
  body.cancel();
  body.cancel();
  assert.deepEqual(control.calls, ['abort aborted']);
  body.data(Buffer.from('late'));
  body.fail(new TransportFailure('aborted', 'aborted'));
  assert.deepEqual(reader.log, []);
});

test('pause, resume and cancel are no-ops once the body ended: the socket is back in the pool', () => {
  const control = flow();
  const body = new PushedBody(control);
  body.read(recorder());
  body.pause();
  body.end();
  body.resume();
  body.cancel();
  assert.deepEqual(control.calls, ['pause']);
});

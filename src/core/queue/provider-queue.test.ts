import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isGatewayError } from '../errors.js';
import { Cancellation } from '../cancellation.js';
import { ProviderQueue } from './provider-queue.js';

const limits = { concurrency: 1, buffer_size: 1 };

test('admits up to concurrency, queues up to buffer, drops beyond with 429 request_dropped', async () => {
  const q = new ProviderQueue('openai', limits);
  assert.equal(q.acquire(limits, true), undefined);
  const waiting = q.acquire(limits, true);
  assert.ok(waiting instanceof Promise);
  await assert.rejects(q.acquire(limits, true)!, (e: unknown) => isGatewayError(e) && e.status === 429
    && e.type === 'request_dropped' && e.message === 'request dropped: queue is full');
  q.release();
  await waiting;
  assert.equal(q.inFlight, 1);
  assert.equal(q.waiting, 0);
});

test('without drop_excess_requests a full buffer waits instead of failing', async () => {
  const q = new ProviderQueue('openai', limits);
  q.acquire(limits, false);
  const order: number[] = [];
  const a = q.acquire(limits, false)!.then(() => order.push(1));
  const b = q.acquire(limits, false)!.then(() => order.push(2));
  q.release();
  await a;
  q.release();
  await b;
  assert.deepEqual(order, [1, 2]);
});

test('abort while waiting rejects with the reason and frees the buffer slot', async () => {
  const q = new ProviderQueue('openai', limits);
  q.acquire(limits, true);
  const ac = new Cancellation();
  const waiting = q.acquire(limits, true, ac)!;
  ac.abort(new Error('caller gone'));
  await assert.rejects(waiting, /caller gone/);
  assert.equal(q.waiting, 0);
  const next = q.acquire(limits, true);
  assert.ok(next instanceof Promise, 'buffer has room again');
  q.release();
  await next;
  assert.equal(q.inFlight, 1);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { retransmitLimit, TransmitLimitedQueue } from './transmit-limited-queue.js';

test('retransmitLimit = mult × ceil(log10(n+1))', () => {
  assert.equal(retransmitLimit(4, 1), 4);
  assert.equal(retransmitLimit(4, 8), 4);
  assert.equal(retransmitLimit(4, 9), 4);
  assert.equal(retransmitLimit(4, 10), 8);
  assert.equal(retransmitLimit(4, 99), 8);
  assert.equal(retransmitLimit(4, 100), 12);
  assert.equal(retransmitLimit(4, 0), 0);
});

test('a broadcast is sent retransmitLimit times then finished', () => {
  let finished = 0;
  const q = new TransmitLimitedQueue({ retransmitMult: 4, numNodes: () => 2 });
  q.queueBroadcast({ message: new Uint8Array([1, 2]), finished: () => { finished++; } });
  let sends = 0;
  for (let i = 0; i < 10; i++) sends += q.getBroadcasts(2, 1400).length;
  assert.equal(sends, 4);
  assert.equal(finished, 1);
  assert.equal(q.numQueued(), 0);
});

test('named broadcasts replace older ones about the same node', () => {
  const q = new TransmitLimitedQueue({ retransmitMult: 4, numNodes: () => 3 });
  let oldFinished = false;
  q.queueBroadcast({ message: new Uint8Array([1]), name: 'x', finished: () => { oldFinished = true; } });
  q.queueBroadcast({ message: new Uint8Array([2]), name: 'x' });
  q.queueBroadcast({ message: new Uint8Array([3]), name: 'y' });
  assert.equal(oldFinished, true);
  assert.deepEqual(q.getBroadcasts(0, 100).map((m) => m[0]).sort(), [2, 3]);
});

test('selection: fewest transmits first, then largest that fits, within the limit', () => {
  const q = new TransmitLimitedQueue({ retransmitMult: 4, numNodes: () => 3 });
  q.queueBroadcast({ message: new Uint8Array(10).fill(1) });
  q.queueBroadcast({ message: new Uint8Array(50).fill(2) });
  q.queueBroadcast({ message: new Uint8Array(30).fill(3) });
  // limit 50 with overhead 2: 50 doesn't fit (52 > 50), 30 fits (32), then 10 fits (12), total 44
  assert.deepEqual(q.getBroadcasts(2, 50).map((m) => m[0]), [3, 1]);
  // the untransmitted 50-byte one now goes first
  assert.deepEqual(q.getBroadcasts(2, 90).map((m) => m[0]), [2, 3]);
});

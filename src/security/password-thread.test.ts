// The password thread: Argon2id runs off the event loop, results match hash-wasm's own, the queue
// is bounded, and an idle worker neither holds the process open nor lingers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { hashPassword, verifyPassword } from './password.js';
import { PasswordThread, PasswordThreadBusy } from './password-thread.js';

const PARAMS = { iterations: 2, memorySize: 19 * 1024, parallelism: 1, hashLength: 32 };

test('password checks leave the event loop idle while Argon2id runs', async () => {
  const hash = await hashPassword('right'); // starts the worker, so its start-up is not measured
  const start = performance.eventLoopUtilization();
  const began = performance.now();
  for (let i = 0; i < 4; i += 1) assert.equal(await verifyPassword(`wrong-${i}`, hash), false);
  const elapsed = performance.now() - began;
  const busy = performance.eventLoopUtilization(start);
  // On the event loop, four checks keep it ~100 % busy; on the thread it only posts and waits.
  assert.ok(busy.utilization < 0.3, `event loop ${Math.round(busy.utilization * 100)} % busy over ${Math.round(elapsed)} ms`);
  assert.equal(await verifyPassword('right', hash), true);
});

test('hash and verify round-trip through the thread; a malformed hash verifies false', async () => {
  const thread = new PasswordThread();
  try {
    const hash = await thread.hash('hunter2', new Uint8Array(16).fill(7), PARAMS);
    assert.match(hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.equal(await thread.verify('hunter2', hash), true);
    assert.equal(await thread.verify('hunter3', hash), false);
    await assert.rejects(thread.verify('x', '$argon2id$garbage'));
    assert.equal(await verifyPassword('x', '$argon2id$garbage'), false);
    assert.equal(await verifyPassword('x', 'not-a-hash'), false);
  } finally {
    await thread.stop();
  }
});

test('checks beyond the bound are refused at once (hashing is not), and the thread serves again after', async () => {
  const thread = new PasswordThread({ maxPending: 2 });
  try {
    const hash = await thread.hash('pw', new Uint8Array(16), PARAMS);
    const jobs = Array.from({ length: 5 }, () => thread.verify('nope', hash));
    const rehash = thread.hash('new', new Uint8Array(16), PARAMS);
    const settled = await Promise.allSettled(jobs);
    assert.match(await rehash, /^\$argon2id\$/, 'a new password is hashed even when checks are full');
    assert.deepEqual(settled.map((s) => s.status), ['fulfilled', 'fulfilled', 'rejected', 'rejected', 'rejected']);
    for (const s of settled.slice(2)) assert.ok(s.status === 'rejected' && s.reason instanceof PasswordThreadBusy);
    assert.equal(thread.pending, 0);
    assert.equal(await thread.verify('pw', hash), true);
  } finally {
    await thread.stop();
  }
});

test('an idle worker stops after idleStopMs and the next job starts a new one', async () => {
  const thread = new PasswordThread({ idleStopMs: 20 });
  try {
    const hash = await thread.hash('pw', new Uint8Array(16), PARAMS);
    const deadline = Date.now() + 5_000;
    while (thread.running && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(thread.running, false, 'worker stopped when idle');
    assert.equal(await thread.verify('pw', hash), true);
    assert.equal(thread.running, true);
  } finally {
    await thread.stop();
  }
});

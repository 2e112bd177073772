// The login limiter on an injected clock: free failures, doubling locks with a cap, forgetting,
// success forgiving the username, both dimensions independent, bounded maps, address keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressKey, LoginLimiter, tooManyAttempts } from './login-limiter.js';

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => { now += ms; } };
}

test('after the free failures every failure locks, doubling up to the cap', () => {
  const time = clock();
  const limiter = new LoginLimiter({ now: time.now, username: { freeFailures: 3, firstLockMs: 1_000, maxLockMs: 8_000 } });
  for (let i = 0; i < 3; i += 1) assert.equal(limiter.begin('10.0.0.1', 'admin'), 0);
  assert.equal(limiter.begin('10.0.0.1', 'admin'), 0, 'the fourth check runs and sets the first lock');
  assert.equal(limiter.begin('10.0.0.1', 'admin'), 1, 'locked for 1 s');
  const locks = [];
  for (let i = 0; i < 6; i += 1) {
    const wait = limiter.retryAfter('10.0.0.1', 'admin');
    locks.push(wait);
    time.advance(wait * 1000);
    assert.equal(limiter.begin('10.0.0.1', 'admin'), 0, 'a lock that ran out admits one more check');
  }
  assert.deepEqual(locks, [1, 2, 4, 8, 8, 8]);
});

test('a locked attempt is not counted, and retry-after rounds up to whole seconds', () => {
  const time = clock();
  const limiter = new LoginLimiter({ now: time.now, username: { freeFailures: 1, firstLockMs: 1_500 } });
  limiter.begin('a', 'admin');
  limiter.begin('a', 'admin');
  for (let i = 0; i < 50; i += 1) assert.equal(limiter.begin('a', 'admin'), 2);
  time.advance(1_500);
  assert.equal(limiter.begin('a', 'admin'), 0);
  assert.equal(limiter.retryAfter('a', 'admin'), 3, 'second lock is 3 s (1.5 s doubled), not inflated by the 50 refused tries');
});

test('failures are forgotten after a quiet period', () => {
  const time = clock();
  const limiter = new LoginLimiter({ now: time.now, username: { freeFailures: 2, forgetAfterMs: 60_000 } });
  for (let i = 0; i < 3; i += 1) limiter.begin('a', 'admin');
  assert.ok(limiter.retryAfter('a', 'admin') > 0);
  time.advance(59_999);
  limiter.begin('a', 'admin');
  time.advance(60_000);
  assert.equal(limiter.retryAfter('a', 'admin'), 0);
  for (let i = 0; i < 2; i += 1) assert.equal(limiter.begin('a', 'admin'), 0, 'free failures again');
});

test('a success forgives the username and takes back the address count', () => {
  const time = clock();
  const limiter = new LoginLimiter({ now: time.now, address: { freeFailures: 5 }, username: { freeFailures: 3 } });
  for (let i = 0; i < 3; i += 1) limiter.begin('a', 'admin');
  limiter.begin('a', 'admin');
  limiter.succeeded('a', 'admin');
  for (let i = 0; i < 3; i += 1) assert.equal(limiter.begin('b', 'admin'), 0, 'username counter reset');
  // Address a: 4 counted, one taken back → 3; two more stay free, the next two lock.
  assert.equal(limiter.begin('a', 'other'), 0);
  assert.equal(limiter.begin('a', 'other'), 0);
  assert.equal(limiter.begin('a', 'other'), 0, 'sixth failure locks');
  assert.equal(limiter.begin('a', 'other'), 1);
});

test('a success whose own check would have locked the address leaves it unlocked', () => {
  const time = clock();
  const limiter = new LoginLimiter({ now: time.now, address: { freeFailures: 2 }, username: { freeFailures: 100 } });
  limiter.begin('a', 'x');
  limiter.begin('a', 'y');
  assert.equal(limiter.begin('a', 'admin'), 0, 'third check runs (and would lock when it fails)');
  limiter.succeeded('a', 'admin');
  assert.equal(limiter.retryAfter('a', 'z'), 0);
});

test('the address and the username are limited independently', () => {
  const time = clock();
  const limiter = new LoginLimiter({ now: time.now, address: { freeFailures: 4 }, username: { freeFailures: 100 } });
  for (let i = 0; i < 5; i += 1) limiter.begin('10.0.0.9', `user-${i}`);
  assert.equal(limiter.begin('10.0.0.9', 'fresh-name'), 1, 'cycling usernames from one address hits the address limit');
  assert.equal(limiter.begin('10.0.0.10', 'fresh-name'), 0, 'another address is free');
  const byName = new LoginLimiter({ now: time.now, address: { freeFailures: 100 }, username: { freeFailures: 2 } });
  for (let i = 0; i < 3; i += 1) byName.begin(`10.1.0.${i}`, 'admin');
  assert.equal(byName.begin('10.1.0.99', 'admin'), 1, 'cycling addresses against one username hits the username limit');
});

test('maps stay bounded when an attacker cycles usernames and addresses; locked entries go last', () => {
  const time = clock();
  const limiter = new LoginLimiter({ now: time.now, maxEntries: 100, username: { freeFailures: 1 } });
  limiter.begin('1.1.1.1', 'admin');
  limiter.begin('1.1.1.1', 'admin');
  assert.equal(limiter.retryAfter('9.9.9.9', 'admin'), 1);
  for (let i = 0; i < 5_000; i += 1) limiter.begin(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, `name-${i}`);
  assert.ok(limiter.size.addresses <= 100 && limiter.size.usernames <= 100, JSON.stringify(limiter.size));
  assert.equal(limiter.retryAfter('9.9.9.9', 'admin'), 1, 'the locked username survived the churn');
});

test('long usernames are kept as a digest', () => {
  const limiter = new LoginLimiter({ username: { freeFailures: 0 } });
  const long = 'x'.repeat(1_000_000);
  limiter.begin('a', long);
  assert.equal(limiter.retryAfter('b', long), 1);
  assert.equal(limiter.retryAfter('b', `${long}y`), 0);
});

test('address keys: IPv4-mapped as IPv4, IPv6 by /64, zone ids dropped', () => {
  assert.equal(addressKey('127.0.0.1'), '127.0.0.1');
  assert.equal(addressKey('::ffff:127.0.0.1'), '127.0.0.1');
  assert.equal(addressKey('2001:db8:1:2:3:4:5:6'), '2001:db8:1:2::/64');
  assert.equal(addressKey('2001:DB8:1:2::ffff'), '2001:db8:1:2::/64');
  assert.equal(addressKey('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(addressKey('::1'), '0:0:0:0::/64');
  assert.equal(addressKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
  assert.equal(addressKey('64:ff9b::192.0.2.1'), '64:ff9b:0:0::/64');
  assert.equal(addressKey(undefined), 'unknown');
});

test('the 429 is Bifrost error JSON material and carries its retry-after', () => {
  const error = tooManyAttempts(7);
  assert.equal(error.status, 429);
  assert.equal(error.type, 'too_many_requests');
  assert.equal(error.retryAfterSeconds, 7);
});

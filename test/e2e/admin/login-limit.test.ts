// Admin password guessing is limited end to end (issue #20, 5): wrong logins and wrong Basic
// credentials from one client run out of free tries and get 429 with `retry-after` in Bifrost's
// error JSON, without an Argon2id check each; a successful login forgives the username; good
// Basic credentials keep working request after request. Each test has its own gateway, so each
// starts with a clean limiter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeOpenAI } from '../../support/fake-openai-upstream.js';
import { startAdminStack, type AdminStack } from './harness.js';

const PASSWORD = 'admin-PASSWORD-123456';
const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

async function withStack(run: (stack: AdminStack) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bifrost-login-limit-'));
  const fake = await startFakeOpenAI();
  const stack = await startAdminStack({
    config_store: { enabled: true, type: 'sqlite', config: { path: join(dir, 'config.db') } },
    governance: { auth_config: { is_enabled: true, admin_username: 'admin', admin_password: 'env.ADMIN_PASSWORD' } },
    providers: { openai: { keys: [{ name: 'k', value: 'sk-upstream-key', models: ['*'] }], network_config: { base_url: fake.origin } } },
  }, { ADMIN_PASSWORD: PASSWORD });
  try {
    await run(stack);
  } finally {
    await stack.close();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function assertThrottled(answer: { status: number; body: any; headers: Headers }): void {
  assert.equal(answer.status, 429);
  assert.equal(answer.body.is_bifrost_error, true);
  assert.equal(answer.body.status_code, 429);
  assert.equal(answer.body.error.type, 'too_many_requests');
  const retryAfter = Number(answer.headers.get('retry-after'));
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1, `retry-after ${answer.headers.get('retry-after')}`);
}

test('a burst of wrong logins gets 429 with retry-after after the free tries; a success resets the username', async () => {
  await withStack(async (stack) => {
    const burst = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      stack.api('POST', '/api/session/login', { username: 'admin', password: `guess-${i}` })));
    const statuses = burst.map((answer) => answer.status);
    // Five free failures for the username, the sixth check runs and sets the first lock; the
    // other fourteen are refused before any hashing.
    assert.equal(statuses.filter((s) => s === 401).length, 6, statuses.join(','));
    assert.equal(statuses.filter((s) => s === 429).length, 14, statuses.join(','));
    for (const answer of burst.filter((a) => a.status === 429)) assertThrottled(answer);

    // While locked even the right password is refused: a lock is no oracle.
    assertThrottled(await stack.api('POST', '/api/session/login', { username: 'admin', password: PASSWORD }));

    // Once the lock runs out the right password logs in (bounded poll on retry-after).
    const deadline = Date.now() + 20_000;
    let login = await stack.api('POST', '/api/session/login', { username: 'admin', password: PASSWORD });
    while (login.status === 429 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, Number(login.headers.get('retry-after')) * 1000));
      login = await stack.api('POST', '/api/session/login', { username: 'admin', password: PASSWORD });
    }
    assert.equal(login.status, 200, login.text);
    // The success forgave the username: the next wrong try is a plain 401 again.
    assert.equal((await stack.api('POST', '/api/session/login', { username: 'admin', password: 'wrong-again' })).status, 401);
    assert.equal((await stack.chat()).status, 200, 'inference is not behind the limiter');
  });
});

test('wrong Basic credentials on admin routes go through the same limiter; good ones keep working', async () => {
  await withStack(async (stack) => {
    // A good credential first: it is remembered and must not be counted as a failure later.
    for (let i = 0; i < 30; i += 1) assert.equal((await stack.api('GET', '/api/providers', undefined, basic('admin', PASSWORD))).status, 200);

    const burst = await Promise.all(Array.from({ length: 12 }, (_, i) =>
      stack.api('GET', i % 2 === 0 ? '/api/providers' : '/metrics', undefined, basic('admin', `guess-${i}`))));
    const statuses = burst.map((answer) => answer.status);
    assert.equal(statuses.filter((s) => s === 401).length, 6, statuses.join(','));
    for (const answer of burst.filter((a) => a.status !== 401)) assertThrottled(answer);
    // Login and Basic share the limiter: the username is locked for both.
    assertThrottled(await stack.api('POST', '/api/session/login', { username: 'admin', password: 'x' }));
    assertThrottled(await stack.api('GET', '/api/providers', undefined, basic('admin', PASSWORD)));
  });
});

test('cycling usernames from one address runs into the address limit', async () => {
  await withStack(async (stack) => {
    const statuses: number[] = [];
    for (let i = 0; i < 13; i += 1) {
      statuses.push((await stack.api('POST', '/api/session/login', { username: `user-${i}`, password: 'x' })).status);
    }
    // Ten free failures for the address, the eleventh check locks it.
    assert.deepEqual(statuses.slice(0, 11), Array(11).fill(401));
    assert.ok(statuses.slice(11).every((s) => s === 429), statuses.join(','));
  });
});

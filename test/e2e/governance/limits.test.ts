// Governance end to end through the real engine and HTTP server, with the official OpenAI SDK as
// client and the fake OpenAI upstream: request and token limits, budgets (incl. 200 concurrent
// requests against a budget worth 10), access errors, bare-model routing, streams cut halfway,
// and usage surviving a restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeOpenAI } from '../../support/fake-openai-upstream.js';
import { waitFor } from '../../support/wait.js';
import { apiError, startGovStack } from './harness.js';

const VK = 'sk-bf-e2e-test-key-0001';
const chat = { model: 'openai/metered', messages: [{ role: 'user' as const, content: 'hello there' }], max_tokens: 5 };
const vk = (extra: Record<string, unknown> = {}) => ({
  id: 'vk1', name: 'e2e', value: VK, provider_configs: [{ provider: 'openai', allowed_models: ['metered', 'regex:gpt-4o.*'] }], ...extra,
});

test('request limit N: N requests pass, the N+1th gets 429 request_limited in Bifrost error JSON', async () => {
  const fake = await startFakeOpenAI();
  const stack = await startGovStack({ fake, governance: {
    rate_limits: [{ id: 'rl', request_max_limit: 3, request_reset_duration: '1h' }], virtual_keys: [vk({ rate_limit_id: 'rl' })] } });
  try {
    const client = stack.client(VK);
    for (let i = 0; i < 3; i++) await client.chat.completions.create(chat);
    const res = await fetch(`${stack.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-bf-vk': VK }, body: JSON.stringify(chat) });
    assert.equal(res.status, 429);
    const body = await res.json() as Record<string, any>;
    assert.equal(body.is_bifrost_error, true);
    assert.equal(body.status_code, 429);
    assert.equal(body.error.type, 'request_limited');
    assert.match(body.error.message, /request limit exceeded \(3\/3/);
    assert.equal(fake.requests.length, 3, 'the rejected request never reached the upstream');
  } finally {
    await stack.close();
    await fake.close();
  }
});

test('token limit: blocks with 429 token_limited once the window holds the cap', async () => {
  const fake = await startFakeOpenAI();
  // each call: prompt 2 + completion 5 = 7 tokens
  const stack = await startGovStack({ fake, governance: {
    rate_limits: [{ id: 'rl', token_max_limit: 20, token_reset_duration: '1d' }], virtual_keys: [vk({ rate_limit_id: 'rl' })] } });
  try {
    const client = stack.client(VK);
    for (let i = 0; i < 3; i++) await client.chat.completions.create(chat);
    const err = apiError(await client.chat.completions.create(chat).then(() => assert.fail('expected 429'), (e: unknown) => e));
    assert.equal(err.status, 429);
    assert.equal(err.body.type, 'token_limited');
    const rl = await (await fetch(`${stack.url}/api/governance/rate-limits`)).json() as { rate_limits: Array<Record<string, unknown>> };
    assert.equal(rl.rate_limits[0]?.token_current_usage, 21);
  } finally {
    await stack.close();
    await fake.close();
  }
});

test('budget: 402 budget_exceeded once cost reaches the cap; 200 concurrent against a budget worth 10 admit at most 11', async () => {
  const fake = await startFakeOpenAI();
  const stack = await startGovStack({ fake, governance: {
    budgets: [{ id: 'b', max_limit: 0.05, reset_duration: '1M' }], virtual_keys: [vk({ budget_id: 'b' })] } });
  try {
    const client = stack.client(VK);
    const results = await Promise.allSettled(Array.from({ length: 200 }, () => client.chat.completions.create(chat)));
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    const rejected = results.filter((r) => r.status === 'rejected').map((r) => apiError((r as PromiseRejectedResult).reason));
    console.log(`# governance e2e: 200 concurrent requests, budget worth 10 → ${ok} admitted, ${rejected.length} rejected`);
    assert.ok(ok <= 11, `admitted ${ok} > 11`);
    assert.ok(ok >= 10, `admitted only ${ok}: estimates should equal actual cost here`);
    assert.ok(rejected.every((e) => e.status === 402 && e.body.type === 'budget_exceeded'));
    const budgets = await (await fetch(`${stack.url}/api/governance/budgets`)).json() as { budgets: Array<Record<string, number>> };
    assert.ok(Math.abs(budgets.budgets[0]!.current_usage! - ok * 0.005) < 1e-9);
    const err = apiError(await client.chat.completions.create(chat).then(() => assert.fail('expected 402'), (e: unknown) => e));
    assert.equal(err.status, 402);
    assert.match(String(err.body.message), /budget exceeded/);
  } finally {
    await stack.close();
    await fake.close();
  }
});

test('access: missing mandatory VK → 400, unknown VK → 403, model not allowed → 403, bare model routed', async () => {
  const fake = await startFakeOpenAI();
  const stack = await startGovStack({ fake, governance: { virtual_keys: [vk()] }, pluginConfig: { is_vk_mandatory: true } });
  try {
    const missing = await fetch(`${stack.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(chat) });
    assert.equal(missing.status, 400);
    assert.equal(((await missing.json()) as Record<string, any>).error.type, 'virtual_key_required');
    const unknown = apiError(await stack.client('sk-bf-unknown').chat.completions.create(chat).catch((e: unknown) => e));
    assert.deepEqual([unknown.status, unknown.body.type], [403, 'virtual_key_not_found']);
    const blocked = apiError(await stack.client(VK).chat.completions.create({ ...chat, model: 'openai/gpt-3.5-turbo' }).catch((e: unknown) => e));
    assert.deepEqual([blocked.status, blocked.body.type], [403, 'model_blocked']);
    const regexOk = await stack.client(VK).chat.completions.create({ ...chat, model: 'openai/gpt-4o-mini' });
    assert.equal(regexOk.object, 'chat.completion');
    const bare = await stack.client(VK).chat.completions.create({ ...chat, model: 'metered' });
    assert.equal(bare.object, 'chat.completion');
    assert.equal(fake.requests.at(-1)?.body?.model, 'metered');
  } finally {
    await stack.close();
    await fake.close();
  }
});

test('a stream cut halfway is billed for the tokens it produced; include_usage is asked for and stripped', async () => {
  const fake = await startFakeOpenAI({ chunks: 20 });
  const stack = await startGovStack({ fake, governance: {
    rate_limits: [{ id: 'rl', token_max_limit: 100_000, token_reset_duration: '1h' }], virtual_keys: [vk({ rate_limit_id: 'rl' })] } });
  const usage = async () => ((await (await fetch(`${stack.url}/api/governance/rate-limits`)).json()) as { rate_limits: Array<Record<string, number>> }).rate_limits[0]!.token_current_usage!;
  try {
    const client = stack.client(VK);
    // A whole stream: the client did not ask for usage, so it sees no usage chunk, but is billed 2 + 20.
    const full = await client.chat.completions.create({ ...chat, max_tokens: 1000, stream: true });
    const chunks = [];
    for await (const c of full) chunks.push(c);
    assert.equal(fake.requests.at(-1)?.body?.stream_options && (fake.requests.at(-1)!.body!.stream_options as { include_usage: boolean }).include_usage, true);
    assert.ok(chunks.every((c) => c.choices.length > 0), 'usage-only chunk stripped');
    await waitFor(async () => (await usage()) === 22, { message: 'full stream billed 22 tokens' });

    fake.behave({ breakAfterChunks: 10, chunks: 20 });
    const cut = await client.chat.completions.create({ ...chat, max_tokens: 1000, stream: true });
    await assert.rejects(async () => { for await (const _ of cut) { /* drain until the cut */ } });
    const billed = await waitFor(async () => { const u = await usage(); return u > 22 ? u - 22 : false; }, { message: 'cut stream billed' });
    console.log(`# governance e2e: stream cut after 10 of 20 chunks billed ${billed} tokens (full stream: 22)`);
    assert.ok(billed > 5 && billed < 1000, `cut stream billed ${billed} tokens, not the 1000-token reservation`);
  } finally {
    await stack.close();
    await fake.close();
  }
});

test('a stream the client abandons halfway is billed for what it produced, and the reservation is released', async () => {
  const fake = await startFakeOpenAI({ chunks: 200, chunkDelayMs: 10 });
  // 5020 tokens: the 5000-token reservation plus the usage would block the next request if it leaked.
  const stack = await startGovStack({ fake, governance: {
    rate_limits: [{ id: 'rl', token_max_limit: 5020, token_reset_duration: '1h' }], virtual_keys: [vk({ rate_limit_id: 'rl' })] } });
  try {
    const controller = new AbortController();
    const res = await fetch(`${stack.url}/v1/chat/completions`, { method: 'POST', signal: controller.signal,
      headers: { 'content-type': 'application/json', 'x-bf-vk': VK }, body: JSON.stringify({ ...chat, max_tokens: 5000, stream: true }) });
    const reader = res.body!.getReader();
    let text = '';
    while ((text.match(/"content"/g) ?? []).length < 10) text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    await waitFor(() => fake.requests.at(-1)?.aborted, { message: 'upstream stream cancelled after the client left' });
    const rl = async () => ((await (await fetch(`${stack.url}/api/governance/rate-limits`)).json()) as { rate_limits: Array<Record<string, number>> }).rate_limits[0]!;
    const billed = await waitFor(async () => { const u = (await rl()).token_current_usage!; return u > 0 ? u : false; }, { message: 'abandoned stream billed' });
    console.log(`# governance e2e: stream abandoned by the client after ~10 of 200 chunks billed ${billed} tokens (reservation was 5000+)`);
    assert.ok(billed > 5 && billed < 200, `billed ${billed}`);
    // the reservation is gone, so the window has room for another request
    await stack.client(VK).chat.completions.create(chat);
  } finally {
    await stack.close();
    await fake.close();
  }
});

test('usage survives a restart (flushed at shutdown, reloaded from the store)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gv-e2e-'));
  const fake = await startFakeOpenAI();
  const governance = { rate_limits: [{ id: 'rl', request_max_limit: 3, request_reset_duration: '1h' }],
    budgets: [{ id: 'b', max_limit: 1, reset_duration: '1d' }], virtual_keys: [vk({ rate_limit_id: 'rl', budget_id: 'b' })] };
  try {
    const first = await startGovStack({ fake, governance, dbPath: join(dir, 'config.db') });
    for (let i = 0; i < 2; i++) await first.client(VK).chat.completions.create(chat);
    await first.close();
    const second = await startGovStack({ fake, governance, dbPath: join(dir, 'config.db') });
    try {
      await second.client(VK).chat.completions.create(chat);
      const err = apiError(await second.client(VK).chat.completions.create(chat).catch((e: unknown) => e));
      assert.deepEqual([err.status, err.body.type], [429, 'request_limited']);
      const budgets = await (await fetch(`${second.url}/api/governance/budgets`)).json() as { budgets: Array<Record<string, number>> };
      assert.ok(Math.abs(budgets.budgets[0]!.current_usage! - 0.015) < 1e-9, `budget usage ${budgets.budgets[0]!.current_usage}`);
    } finally {
      await second.close();
    }
  } finally {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

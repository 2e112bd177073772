// Cluster mode end to end (issue #21): three real `bifrost` processes on 127.0.0.1 sharing one real
// PostgreSQL, joined by real gossip over static peers. They form one cluster with one leader; a
// virtual key's request limit holds for the cluster under load spread over the replicas
// (admitted ≤ L × 1.01 + replicas); a virtual key created on one replica works on another within
// 1 s; a replica killed with -9 mid-window keeps its counted usage in the sum (no double count, the
// others keep enforcing), and when it comes back it has not forgotten it. CLUSTER_LOAD_SECONDS
// (default 60, as the issue asks) sets how long the load runs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai-upstream.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { waitFor } from '../support/wait.js';
import { startReplicas, type Replica } from './replicas.js';

const LOAD_SECONDS = Number(process.env.CLUSTER_LOAD_SECONDS ?? 60);
const LIMIT = 300;
const VK = 'sk-bf-cluster-limit-0001';
const TOKEN_VK = 'sk-bf-cluster-tokens-0001';
/** The fake upstream reports 1 prompt + 5 completion tokens for "hi". */
const TOKENS_PER_REQUEST = 6;
const TOKEN_LIMIT = 1_200;
const dir = mkdtempSync(join(tmpdir(), 'bifrost-cluster-'));
let postgres: TestPostgres;
let fake: FakeOpenAI;
let replicas: Replica[];

const chatBody = JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], max_tokens: 5 });
async function chat(replica: Replica, vk: string): Promise<number> {
  const res = await fetch(`${replica.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-bf-vk': vk }, body: chatBody });
  await res.arrayBuffer();
  return res.status;
}

/** Load spread round-robin over `targets` for `seconds` (or until `stop`), `concurrency` clients. */
async function drive(targets: Replica[], vk: string, seconds: number, concurrency = 24): Promise<{ admitted: number; refused: number; other: number; rate: number }> {
  const counts = { admitted: 0, refused: 0, other: 0 };
  const deadline = Date.now() + seconds * 1000;
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (Date.now() < deadline) {
      const status = await chat(targets[next++ % targets.length]!, vk).catch(() => 0);
      if (status === 200) counts.admitted += 1;
      else if (status === 429) counts.refused += 1;
      else counts.other += 1;
    }
  }));
  return { ...counts, rate: Math.round((counts.admitted + counts.refused + counts.other) / seconds) };
}

async function status(replica: Replica): Promise<any> {
  return (await fetch(`${replica.url}/api/cluster/status`)).json();
}

before(async () => {
  postgres = await startPostgres();
  fake = await startFakeOpenAI();
  replicas = await startReplicas(3, {
    dir,
    config: (peers) => ({
      config_store: postgres.storeBlock,
      logs_store: { enabled: false },
      providers: { openai: { keys: [{ name: 'k', value: 'sk-upstream', models: ['*'] }], network_config: { base_url: fake.origin, max_retries: 0 } } },
      governance: {
        rate_limits: [
          { id: 'rl-cluster', request_max_limit: LIMIT, request_reset_duration: '1h' },
          { id: 'rl-tokens', token_max_limit: TOKEN_LIMIT, token_reset_duration: '1h' },
        ],
        virtual_keys: [
          { id: 'vk-cluster', name: 'cluster', value: VK, rate_limit_id: 'rl-cluster', provider_configs: [{ provider: 'openai', allowed_models: ['*'] }] },
          { id: 'vk-tokens', name: 'tokens', value: TOKEN_VK, rate_limit_id: 'rl-tokens', provider_configs: [{ provider: 'openai', allowed_models: ['*'] }] },
        ],
      },
      plugins: [{ name: 'telemetry', enabled: true, config: {} }],
      cluster_config: { enabled: true, peers, gossip: { config: { timeout_seconds: 5, success_threshold: 1, failure_threshold: 3 } } },
    }),
  });
});

after(async () => {
  for (const replica of replicas ?? []) await replica.kill().catch(() => undefined);
  await fake?.close();
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('three replicas form one cluster: every one lists the three, all healthy, and they agree on the leader', async () => {
  const views = await waitFor(async () => {
    const all = await Promise.all(replicas.map(status));
    return all.every((s) => s.healthy_members === 3 && s.cluster_health === 'HEALTHY') ? all : undefined;
  }, { timeoutMs: 20_000, intervalMs: 100, message: 'each replica seeing three healthy members' });
  assert.deepEqual(new Set(views.map((v) => v.leader)), new Set(['replica-1']));
  assert.deepEqual(views[0].members.map((m: { name: string }) => m.name), ['replica-1', 'replica-2', 'replica-3']);
  assert.match(views[1].members[2].http_address, /^127\.0\.0\.1:\d+$/);
  assert.ok(replicas.some((r) => /successfully joined \d+ peers/.test(r.output())), 'Bifrost\'s join log line');
});

test(`a request limit of ${LIMIT} holds for the cluster under load spread over three replicas`, async () => {
  const load = await drive(replicas, VK, LOAD_SECONDS);
  console.log(`# cluster limit: ${load.admitted} admitted of limit ${LIMIT} (${load.refused} refused, ${load.other} other) at ${load.rate} req/s over ${LOAD_SECONDS} s across 3 replicas`);
  assert.equal(load.other, 0, 'every answer is 200 or 429');
  assert.ok(load.admitted <= LIMIT * 1.01 + 3, `admitted ${load.admitted} > ${LIMIT} × 1.01 + 3`);
  assert.ok(load.admitted >= LIMIT * 0.99, `the limit should be used up: admitted only ${load.admitted}`);
});

test(`a token limit of ${TOKEN_LIMIT} holds for the cluster the same way`, async () => {
  const load = await drive(replicas, TOKEN_VK, Math.min(LOAD_SECONDS, 4));
  const tokens = load.admitted * TOKENS_PER_REQUEST;
  const counted = await waitFor(async () => {
    const all = await Promise.all(replicas.map(async (r) => ((await (await fetch(`${r.url}/api/governance/rate-limits`)).json()) as {
      rate_limits: Array<{ id: string; token_current_usage: number }> }).rate_limits.find((x) => x.id === 'rl-tokens')!.token_current_usage));
    return all.every((n) => n === tokens) ? all[0] : undefined;
  }, { timeoutMs: 5_000, message: `every replica counting ${tokens} tokens` });
  console.log(`# cluster token limit: ${counted} tokens counted (${load.admitted} requests) of limit ${TOKEN_LIMIT} at ${load.rate} req/s`);
  assert.ok(counted <= TOKEN_LIMIT * 1.01 + 3 * TOKENS_PER_REQUEST, `${counted} tokens > ${TOKEN_LIMIT} × 1.01 + 3 requests' worth`);
  assert.ok(counted >= TOKEN_LIMIT * 0.95, `the token limit should be used up: ${counted}`);
});

test('counter propagation between replicas, from bifrost_cluster_counter_propagation_seconds', async () => {
  const buckets = new Map<number, number>();
  for (const replica of replicas) {
    const text = await (await fetch(`${replica.url}/metrics`)).text();
    for (const m of text.matchAll(/^bifrost_cluster_counter_propagation_seconds_bucket\{le="([^"]+)"\} (\d+)/gm)) {
      const le = m[1] === '+Inf' ? Infinity : Number(m[1]);
      buckets.set(le, (buckets.get(le) ?? 0) + Number(m[2]));
    }
  }
  const sorted = [...buckets].sort(([a], [b]) => a - b);
  const total = sorted.at(-1)?.[1] ?? 0;
  assert.ok(total > 100, `deltas observed: ${total}`);
  const quantile = (q: number): number => sorted.find(([, n]) => n >= q * total)![0];
  console.log(`# counter propagation: ${total} deltas, p50 ≤ ${quantile(0.5) * 1000} ms, p99 ≤ ${quantile(0.99) * 1000} ms (histogram bucket bounds)`);
});

test('a virtual key created on replica 1 authorizes a request on replica 3 within 1 s', async () => {
  const created = await fetch(`${replicas[0]!.url}/api/governance/virtual-keys`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'fresh', provider_configs: [{ provider: 'openai', allowed_models: ['*'] }] }),
  });
  assert.equal(created.status, 201);
  const value = ((await created.json()) as { virtual_key: { value: string } }).virtual_key.value;
  const started = performance.now();
  await waitFor(async () => (await chat(replicas[2]!, value)) === 200 || undefined, { timeoutMs: 5_000, intervalMs: 10, message: 'the new VK to work on replica 3' });
  const delay = Math.round(performance.now() - started);
  console.log(`# VK created on replica 1 → authorizes on replica 3 after ${delay} ms`);
  assert.ok(delay < 1_000, `took ${delay} ms`);
});

test('a replica killed mid-window keeps its usage in the sum; back, it has not forgotten it', async () => {
  const limit = 200;
  const created = await fetch(`${replicas[0]!.url}/api/governance/virtual-keys`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'kill-test', rate_limit: { request_max_limit: limit, request_reset_duration: '1h' }, provider_configs: [{ provider: 'openai', allowed_models: ['*'] }] }),
  });
  assert.equal(created.status, 201);
  const { value, rate_limit_id: rateLimitId } = ((await created.json()) as { virtual_key: { value: string; rate_limit_id: string } }).virtual_key;
  await waitFor(async () => (await chat(replicas[2]!, value)) === 200 || undefined, { timeoutMs: 5_000, message: 'the VK on replica 3' });
  // About a third of the limit, a third of it through replica 3; then replica 3 dies without a flush.
  let admitted = 1;
  for (let i = 0; i < 60; i++) if ((await chat(replicas[i % 3]!, value)) === 200) admitted += 1;
  // What replica 3 counted has reached the others (a delta batch is 5 ms); then it dies unflushed.
  await waitFor(async () => {
    const limits = await (await fetch(`${replicas[0]!.url}/api/governance/rate-limits`)).json() as { rate_limits: Array<{ id: string; request_current_usage: number }> };
    return limits.rate_limits.find((r) => r.id === rateLimitId)?.request_current_usage === admitted || undefined;
  }, { timeoutMs: 5_000, message: `replica 1 counting the ${admitted} requests admitted so far` });
  await replicas[2]!.kill();
  const rest = await drive(replicas.slice(0, 2), value, 3, 16);
  admitted += rest.admitted;
  console.log(`# kill -9 mid-window: ${admitted} admitted in all for a limit of ${limit}`);
  assert.ok(admitted <= limit * 1.01 + 3, `admitted ${admitted} > ${limit} × 1.01 + 3: the dead replica's usage was lost`);
  assert.ok(rest.refused > 0, 'the survivors enforce the limit');
  await replicas[2]!.start();
  assert.equal(await chat(replicas[2]!, value), 429, 'the restarted replica remembers the window\'s usage');
});

// The inside of partition.test.ts, run in the hub namespace it made: PostgreSQL on the bridge
// (10.213.0.254), three replicas at 10.213.0.1-3 in their own namespaces, the mocker answering.
// Replica 3's link is cut (`ip link set vh3 down` here in the hub) for 20 s: replicas 1 and 2 take
// requests from the hub, replica 3 from a client inside its own namespace. After the heal, every
// replica must list three healthy members and count the same usage within 10 s.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { waitFor } from '../support/wait.js';
import { startReplicas, type Replica } from './replicas.js';

const nodes = (process.env.PARTITION_NODES ?? '').split(',');
const VK = 'sk-bf-partition-0001';
const LIMIT = 100_000;
const dir = mkdtempSync(join(tmpdir(), 'bifrost-partition-'));
let postgres: TestPostgres;
let replicas: Replica[];

const body = JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });

/** `count` requests to `url`, sent from namespace `ns` (or from here); returns how many got 200. */
function send(url: string, count: number, ns?: string): number {
  const script = `let ok=0;(async()=>{for(let i=0;i<${count};i++){const r=await fetch(${JSON.stringify(`${url}/v1/chat/completions`)},{method:'POST',headers:{'content-type':'application/json','x-bf-vk':${JSON.stringify(VK)}},body:${JSON.stringify(body)}}).catch(()=>undefined);if(r){await r.arrayBuffer();if(r.status===200)ok++;}}console.log(ok)})()`;
  const command = ns ? ['ip', ['netns', 'exec', ns, process.execPath, '-e', script]] as const : [process.execPath, ['-e', script]] as const;
  return Number(execFileSync(command[0], [...command[1]], { encoding: 'utf8', timeout: 60_000 }).trim());
}

async function view(replica: Replica): Promise<{ healthy: number; usage: number }> {
  const status = await (await fetch(`${replica.url}/api/cluster/status`)).json() as { healthy_members: number };
  const limits = await (await fetch(`${replica.url}/api/governance/rate-limits`)).json() as { rate_limits: Array<{ id: string; request_current_usage: number }> };
  return { healthy: status.healthy_members, usage: limits.rate_limits.find((r) => r.id === 'rl-partition')!.request_current_usage };
}

before(async () => {
  postgres = await startPostgres();
  replicas = await startReplicas(3, {
    dir,
    netns: (i) => ({ host: `10.213.0.${i + 1}`, prefix: ['ip', 'netns', 'exec', nodes[i]!], httpPort: 8080, gossipPort: 7946 }),
    config: (peers) => ({
      config_store: postgres.storeBlock,
      logs_store: { enabled: false },
      providers: { openai: { keys: [{ name: 'k', value: 'unused', models: ['*'] }], network_config: { base_url: 'http://127.0.0.1:1' } } },
      plugins: [{ name: 'bifrost-mocker', enabled: true, config: { enabled: true, default_behavior: 'success' } }],
      governance: {
        rate_limits: [{ id: 'rl-partition', request_max_limit: LIMIT, request_reset_duration: '1h' }],
        virtual_keys: [{ id: 'vk-partition', name: 'partition', value: VK, rate_limit_id: 'rl-partition', provider_configs: [{ provider: 'openai', allowed_models: ['*'] }] }],
      },
      cluster_config: { enabled: true, peers, gossip: { config: { timeout_seconds: 5, success_threshold: 1, failure_threshold: 3 } } },
    }),
  });
});

after(async () => {
  for (const replica of replicas ?? []) await replica.kill().catch(() => undefined);
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('cut, both sides serve, heal: members and counters converge', async () => {
  await waitFor(async () => (await Promise.all(replicas.map(view))).every((v) => v.healthy === 3) || undefined,
    { timeoutMs: 30_000, intervalMs: 200, message: 'three healthy members before the cut' });
  const before = send(replicas[0]!.url, 30);

  execFileSync('ip', ['link', 'set', 'vh3', 'down']);
  const cutAt = Date.now();
  // Replica 3 sees itself alone once its probes fail; the others see it dead.
  await waitFor(async () => (await view(replicas[0]!)).healthy === 2 || undefined, { timeoutMs: 20_000, intervalMs: 200, message: 'replicas 1 and 2 noticing the cut' });
  const sideA = send(replicas[0]!.url, 40) + send(replicas[1]!.url, 40);
  const sideB = send(replicas[2]!.url, 25, nodes[2]);
  const during = await Promise.all(replicas.slice(0, 2).map(view));
  assert.ok(during.every((v) => v.usage === before + sideA), `side A counts what it saw: ${JSON.stringify(during)}, expected ${before + sideA}`);
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, 20_000 - (Date.now() - cutAt))));

  execFileSync('ip', ['link', 'set', 'vh3', 'up']);
  const healedAt = performance.now();
  const total = before + sideA + sideB;
  await waitFor(async () => (await Promise.all(replicas.map(view))).every((v) => v.healthy === 3) || undefined,
    { timeoutMs: 10_000, intervalMs: 100, message: 'three healthy members within 10 s of the heal' });
  const membersMs = Math.round(performance.now() - healedAt);
  await waitFor(async () => (await Promise.all(replicas.map(view))).every((v) => v.usage === total) || undefined,
    { timeoutMs: 10_000, intervalMs: 100, message: `every replica counting ${total} requests within 10 s of the heal` });
  const countersMs = Math.round(performance.now() - healedAt);
  console.log(`# partition: ${before} before the cut, ${sideA} on the majority side and ${sideB} on the cut replica during 20 s; after the heal members converged in ${membersMs} ms, counters (${total}) in ${countersMs} ms`);
  assert.equal(sideB, 25, 'the cut replica kept serving its own clients');
});

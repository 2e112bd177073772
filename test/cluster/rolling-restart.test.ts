// Zero-loss rolling restarts (issue #22): three `bifrost` replicas on one PostgreSQL behind Debian's
// haproxy, which health-checks /health/ready, while a bounded client load runs plain requests and
// SSE streams of 5 s each through it. Every replica is restarted in turn with SIGTERM, the next only
// once the previous one is back. Checks: no failed request, no truncated stream, one request-log row
// per answered request, and a request limit that still holds across the restarts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { requireBinary } from '../support/components.js';
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai-upstream.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { waitFor } from '../support/wait.js';
import { freePort, startReplicas, type Replica } from './replicas.js';

const LOAD_VK = 'sk-bf-rolling-load-0001';
const LIMITED_VK = 'sk-bf-rolling-limit-0001';
const LIMIT = 40;
const STREAM_CHUNKS = 10;
const STREAM_GAP_MS = 500; // 10 × 500 ms: each stream lasts 5 s
const dir = mkdtempSync(join(tmpdir(), 'bifrost-rolling-'));
let postgres: TestPostgres;
let fake: FakeOpenAI;
let replicas: Replica[];
let haproxy: ChildProcess;
let front = '';
let stats = '';

/** haproxy's own view of a backend server (UP, DOWN, …), from its stats CSV. */
async function serverState(name: string): Promise<string | undefined> {
  const csv = await (await fetch(stats)).text();
  return csv.split('\n').map((line) => line.split(',')).find((f) => f[0] === 'gateways' && f[1] === name)?.[17];
}

function body(model: string, stream = false): string {
  return JSON.stringify({ model: `openai/${model}`, messages: [{ role: 'user', content: 'hi' }], max_tokens: 5, ...(stream ? { stream: true } : {}) });
}

async function plain(vk: string): Promise<number> {
  const res = await fetch(`${front}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-bf-vk': vk }, body: body('gpt-4o-mini') });
  await res.arrayBuffer();
  return res.status;
}

/** One 5-second stream: true when it ended with [DONE]. */
async function stream(): Promise<boolean> {
  const res = await fetch(`${front}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-bf-vk': LOAD_VK }, body: body('slow-stream', true) });
  if (res.status !== 200) {
    await res.arrayBuffer();
    return false;
  }
  const text = await res.text();
  return /data: \[DONE\]\n\n$/.test(text);
}

before(async () => {
  const haproxyBin = requireBinary('haproxy');
  postgres = await startPostgres();
  fake = await startFakeOpenAI();
  fake.behave({ model: 'slow-stream', chunks: STREAM_CHUNKS, chunkDelayMs: STREAM_GAP_MS, times: Infinity });
  replicas = await startReplicas(3, {
    dir,
    args: ['-drain-delay', '2', '-shutdown-timeout', '30'],
    config: (peers) => ({
      config_store: postgres.storeBlock,
      logs_store: { ...postgres.storeBlock, writer: { batch_interval: '100ms' } },
      providers: { openai: { keys: [{ name: 'k', value: 'sk-upstream', models: ['*'] }], network_config: { base_url: fake.origin, max_retries: 0 } } },
      governance: {
        rate_limits: [{ id: 'rl-limited', request_max_limit: LIMIT, request_reset_duration: '1h' }],
        virtual_keys: [
          { id: 'vk-load', name: 'load', value: LOAD_VK, provider_configs: [{ provider: 'openai', allowed_models: ['*'] }] },
          { id: 'vk-limited', name: 'limited', value: LIMITED_VK, rate_limit_id: 'rl-limited', provider_configs: [{ provider: 'openai', allowed_models: ['*'] }] },
        ],
      },
      cluster_config: { enabled: true, peers, gossip: { config: { timeout_seconds: 5, success_threshold: 1, failure_threshold: 3 } } },
    }),
  });
  const port = await freePort();
  front = `http://127.0.0.1:${port}`;
  const statsPort = await freePort();
  stats = `http://127.0.0.1:${statsPort}/stats;csv`;
  const cfg = join(dir, 'haproxy.cfg');
  writeFileSync(cfg, [
    'global', '  maxconn 2000',
    'defaults', '  mode http', '  timeout connect 2s', '  timeout client 60s', '  timeout server 60s',
    '  retries 3', '  option redispatch', '  retry-on conn-failure empty-response',
    `frontend in`, `  bind 127.0.0.1:${port}`, '  default_backend gateways',
    'listen stats', `  bind 127.0.0.1:${statsPort}`, '  stats enable', '  stats uri /stats',
    'backend gateways', '  balance roundrobin', '  option httpchk GET /health/ready', '  default-server inter 500ms fall 2 rise 2',
    ...replicas.map((r, i) => `  server r${i + 1} 127.0.0.1:${r.httpPort} check`), '',
  ].join('\n'));
  haproxy = spawn(haproxyBin, ['-f', cfg, '-db'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  haproxy.stderr!.on('data', (c: Buffer) => { err += c.toString(); });
  await waitFor(async () => (await fetch(`${front}/health/ready`).catch(() => undefined))?.status === 200 || undefined,
    { timeoutMs: 10_000, message: 'haproxy in front of the replicas' }).catch((error: Error) => { throw new Error(`${error.message}: ${err}`); });
});

after(async () => {
  haproxy?.kill('SIGKILL');
  for (const replica of replicas ?? []) await replica.kill().catch(() => undefined);
  await fake?.close();
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('a rolling restart under load loses nothing: no failed request, no truncated stream, every answer logged, the limit holds', async () => {
  // Half the limited key's budget before the restarts, the rest after: the count must survive them.
  let limitedAdmitted = 0;
  for (let i = 0; i < LIMIT / 2; i++) if ((await plain(LIMITED_VK)) === 200) limitedAdmitted += 1;

  const counts = { plain: 0, plainFailed: 0, streams: 0, truncated: 0 };
  const failures: string[] = [];
  let running = true;
  const plainLoop = async (): Promise<void> => {
    while (running) {
      const status = await plain(LOAD_VK).catch((e: Error) => { failures.push(e.message); return 0; });
      if (status === 200) counts.plain += 1;
      else {
        counts.plainFailed += 1;
        if (failures.length < 10) failures.push(`status ${status}`);
      }
    }
  };
  const streamLoop = async (): Promise<void> => {
    while (running) {
      const complete = await stream().catch(() => false);
      if (complete) counts.streams += 1;
      else counts.truncated += 1;
    }
  };
  const load = Promise.all([...Array.from({ length: 4 }, plainLoop), ...Array.from({ length: 6 }, streamLoop)]);

  for (const [i, replica] of replicas.entries()) {
    assert.equal(await replica.stop(), 0, `${replica.name} drained and exited 0: ${replica.output().slice(-1500)}`);
    await replica.start();
    // Back in haproxy's rotation (rise 2 checks 500 ms apart) before the next one goes.
    await waitFor(async () => (await serverState(`r${i + 1}`)) === 'UP' || undefined, { timeoutMs: 10_000, message: `haproxy seeing r${i + 1} UP` });
  }
  running = false;
  await load;

  for (let i = 0; i < LIMIT; i++) if ((await plain(LIMITED_VK)) === 200) limitedAdmitted += 1;
  console.log(`# rolling restart: ${counts.plain} requests and ${counts.streams} streams answered, ${counts.plainFailed} failed, ${counts.truncated} truncated; limited key ${limitedAdmitted} admitted of ${LIMIT}`);
  assert.deepEqual(failures, []);
  assert.equal(counts.plainFailed, 0);
  assert.equal(counts.truncated, 0);
  assert.ok(counts.streams >= 6 && counts.plain > 100, 'the load really ran');
  assert.ok(limitedAdmitted >= LIMIT && limitedAdmitted <= LIMIT + 3, `limited key: ${limitedAdmitted} admitted for a limit of ${LIMIT}`);

  const answered = counts.plain + counts.streams + limitedAdmitted;
  const db = new pg.Client({ connectionString: postgres.url });
  await db.connect();
  try {
    let rows = 0;
    await waitFor(async () => {
      rows = (await db.query("select count(*)::int as n from logs where status = 'success'")).rows[0].n as number;
      return rows >= answered || undefined;
    }, { timeoutMs: 10_000, message: 'one success log row per answered request' }).catch(() => undefined);
    assert.equal(rows, answered, `log rows ${rows}, answered ${answered}`);
  } finally {
    await db.end();
  }
});

// Live config on every replica (issue #21): three real gateways on one PostgreSQL config store with
// config sync wired (startGateway's `configSync` option). An admin write on one replica is served
// by the others within 1 s through LISTEN/NOTIFY; with the LISTEN connections killed, the poll of
// config_versions still brings it within the poll interval; the LISTEN connections come back by
// themselves. A replica never reloads its own write, and a governance reload keeps usage counters.
// The delays measured are printed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { silentLogger } from '../../../src/core/index.js';
import { parseConfig } from '../../../src/config/index.js';
import { startGateway, type RunningGateway, type StartGatewayOptions } from '../../../src/main.js';
import type { ConfigSyncChange } from '../../../src/storage/config-sync/index.js';
import type { ConfigSyncWiringOptions } from '../../../src/wiring/config-sync.js';
import { startFakeOpenAI, type FakeOpenAI } from '../../support/fake-openai-upstream.js';
import { startPostgres, type TestPostgres } from '../../support/postgres.js';
import { waitFor } from '../../support/wait.js';

const POLL_MS = 2_000;
/** Long enough that a killed LISTEN connection stays down while the poll is tested. */
const RECONNECT_MS = 8_000;
const INITIAL_KEY = 'sk-initial-key-00000000';

interface Replica {
  name: string;
  gw: RunningGateway;
  changes: ConfigSyncChange[];
}

let postgres: TestPostgres;
let fake: FakeOpenAI;
let admin: pg.Client;
const replicas: Record<'A' | 'B' | 'C', Replica> = {} as never;

async function startReplica(name: 'A' | 'B' | 'C', block: Record<string, unknown>): Promise<Replica> {
  const changes: ConfigSyncChange[] = [];
  const raw = {
    config_store: block,
    providers: { openai: { keys: [{ name: 'k', value: INITIAL_KEY, models: ['*'] }], network_config: { base_url: fake.origin, max_retries: 0 } } },
  };
  const configSync: ConfigSyncWiringOptions = {
    pollIntervalMs: POLL_MS, reconnect: { initialMs: RECONNECT_MS, maxMs: RECONNECT_MS }, onChange: (change) => changes.push(change),
  };
  const options: StartGatewayOptions = {
    port: 0, host: '127.0.0.1', loaded: parseConfig(raw, { env: {}, source: `replica ${name} config.json` }), logger: silentLogger, env: {},
    shutdownGraceMs: 2_000, configSync,
  };
  const gw = await startGateway(options);
  return { name, gw, changes };
}

async function api(replica: Replica, method: string, path: string, body?: unknown): Promise<{ status: number; body: any; text: string }> {
  const response = await fetch(`${replica.gw.url}${path}`, {
    method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, text };
}

async function chat(replica: Replica, vk?: string): Promise<number> {
  const response = await fetch(`${replica.gw.url}/v1/chat/completions`, {
    method: 'POST', headers: { 'content-type': 'application/json', ...(vk ? { 'x-bf-vk': vk } : {}) },
    body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
  });
  await response.arrayBuffer();
  return response.status;
}

/** Milliseconds from now until `check` holds, polled every 5 ms (bounded). */
async function delayUntil(check: () => Promise<boolean>, message: string, timeoutMs = 10_000): Promise<number> {
  const started = performance.now();
  await waitFor(async () => (await check()) || undefined, { timeoutMs, intervalMs: 5, message });
  return Math.round(performance.now() - started);
}

async function listenConnections(): Promise<number> {
  const result = await admin.query(`select count(*)::int as n from pg_stat_activity
    where application_name = 'bifrost-config-sync' and datname = current_database()`);
  return result.rows[0].n as number;
}

before(async () => {
  postgres = await startPostgres();
  fake = await startFakeOpenAI();
  const config = await postgres.createDatabase('config_sync');
  admin = new pg.Client({ host: config.host, port: Number(config.port), user: config.user, password: config.password, database: config.db_name });
  await admin.connect();
  const block = { enabled: true, type: 'postgres', config };
  for (const name of ['A', 'B', 'C'] as const) replicas[name] = await startReplica(name, block);
  await waitFor(async () => (await listenConnections()) === 3, { timeoutMs: 10_000, message: 'three LISTEN connections, one per replica (startGateway must wire config sync: src/wiring/config-sync.ts)' });
});

after(async () => {
  for (const replica of Object.values(replicas)) await replica.gw.close();
  await admin?.end();
  await fake?.close();
  await postgres?.stop();
});

test('a virtual key created on A authorizes a request on C within 1 s; A does not reload its own write', async () => {
  const { A, B, C } = replicas;
  const governanceReloadsOfA = A.changes.filter((c) => c.section === 'governance').length;
  const created = await api(A, 'POST', '/api/governance/virtual-keys', {
    name: 'sync-vk', provider_configs: [{ provider: 'openai', weight: 1, allowed_models: ['*'] }],
  });
  assert.equal(created.status, 201, created.text);
  const value = created.body.virtual_key.value as string;
  const delay = await delayUntil(async () => (await chat(C, value)) === 200, 'the VK created on A to authorize on C');
  console.log(`VK created on A → authorizes on C after ${delay} ms`);
  assert.ok(delay < 1_000, `propagation took ${delay} ms`);
  await delayUntil(async () => (await chat(B, value)) === 200, 'the VK created on A to authorize on B', 1_000);
  const onC = C.changes.find((c) => c.section === 'governance');
  assert.equal(onC?.via, 'notify', `C learned of it by ${onC?.via}`);
  assert.equal(A.changes.filter((c) => c.section === 'governance').length, governanceReloadsOfA, 'A did not reload its own write');

  // Deleting it on B refuses it everywhere.
  const id = created.body.virtual_key.id as string;
  assert.equal((await api(B, 'DELETE', `/api/governance/virtual-keys/${id}`)).status, 200);
  const gone = await delayUntil(async () => (await chat(A, value)) === 403 && (await chat(C, value)) === 403, 'the VK deleted on B to be refused on A and C');
  console.log(`VK deleted on B → refused on A and C after ${gone} ms`);
  assert.ok(gone < 1_000, `propagation took ${gone} ms`);
});

test('a governance reload keeps the usage counters', async () => {
  const { A, B, C } = replicas;
  const created = await api(A, 'POST', '/api/governance/virtual-keys', {
    name: 'limited', rate_limit: { request_max_limit: 3, request_reset_duration: '1h' },
    provider_configs: [{ provider: 'openai', weight: 1, allowed_models: ['*'] }],
  });
  assert.equal(created.status, 201, created.text);
  const value = created.body.virtual_key.value as string;
  await delayUntil(async () => (await chat(C, value)) === 200, 'the limited VK to authorize on C', 2_000);
  assert.equal(await chat(C, value), 200);
  // Another write (on B) makes C reload its governance entities.
  const before = C.changes.length;
  assert.equal((await api(B, 'POST', '/api/governance/teams', { name: 'reload-trigger' })).status, 201);
  await waitFor(() => C.changes.slice(before).some((c) => c.section === 'governance'), { timeoutMs: 2_000, message: 'C to reload governance after B wrote' });
  assert.equal(await chat(C, value), 200, 'third request of three');
  assert.equal(await chat(C, value), 429, 'the fourth is over the limit: the two requests before the reload still count');
});

test('a provider key rotated on B is used by A within 1 s; client config follows too', async () => {
  const { A, B, C } = replicas;
  assert.equal(await chat(A), 200);
  assert.equal(fake.requests.at(-1)?.apiKey, INITIAL_KEY);
  const rotated = 'sk-rotated-on-b-11111111';
  const configReloadsOfB = B.changes.filter((c) => c.section === 'config').length;
  const put = await api(B, 'PUT', '/api/providers/openai', { keys: [{ name: 'k', value: rotated, models: ['*'] }] });
  assert.equal(put.status, 200, put.text);
  const delay = await delayUntil(async () => (await chat(A)) === 200 && fake.requests.at(-1)?.apiKey === rotated, 'A to use the key rotated on B');
  console.log(`provider key rotated on B → used by A after ${delay} ms`);
  assert.ok(delay < 1_000, `propagation took ${delay} ms`);
  assert.equal(B.changes.filter((c) => c.section === 'config').length, configReloadsOfB, 'B did not reload its own write');

  const config = await api(C, 'GET', '/api/config');
  const size = (config.body.client_config.max_request_body_size_mb as number) + 1;
  assert.equal((await api(C, 'PUT', '/api/config', { client_config: { max_request_body_size_mb: size } })).status, 200);
  const clientDelay = await delayUntil(async () => A.gw.config.current().client.max_request_body_size_mb === size
    && B.gw.config.current().client.max_request_body_size_mb === size, 'client config written on C to reach A and B');
  console.log(`client config written on C → live on A and B after ${clientDelay} ms`);
  assert.ok(clientDelay < 1_000, `propagation took ${clientDelay} ms`);
});

test('with every LISTEN connection killed, the poll brings a write within the poll interval; LISTEN comes back', async () => {
  const { A, B, C } = replicas;
  const killed = await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity
    where application_name = 'bifrost-config-sync' and datname = current_database()`);
  assert.equal(killed.rowCount, 3, 'one LISTEN connection per replica was killed');
  await waitFor(async () => (await listenConnections()) === 0, { timeoutMs: 2_000, message: 'the LISTEN connections to be gone' });

  const created = await api(B, 'POST', '/api/governance/virtual-keys', {
    name: 'polled-vk', provider_configs: [{ provider: 'openai', weight: 1, allowed_models: ['*'] }],
  });
  assert.equal(created.status, 201, created.text);
  const value = created.body.virtual_key.value as string;
  const delay = await delayUntil(async () => (await chat(A, value)) === 200 && (await chat(C, value)) === 200,
    'the VK created on B to reach A and C by the poll', POLL_MS + 3_000);
  console.log(`LISTEN down: VK created on B → authorizes on A and C after ${delay} ms (poll every ${POLL_MS} ms)`);
  assert.ok(delay <= POLL_MS + 500, `the poll took ${delay} ms`);
  assert.equal(A.changes.findLast((c) => c.section === 'governance')?.via, 'poll');
  assert.equal(await listenConnections(), 0, 'LISTEN was still down: the poll brought it');

  await waitFor(async () => (await listenConnections()) === 3, { timeoutMs: RECONNECT_MS + 10_000, message: 'the LISTEN connections to be re-opened' });
  const rotated = 'sk-after-reconnect-2222222';
  assert.equal((await api(C, 'PUT', '/api/providers/openai', { keys: [{ name: 'k', value: rotated, models: ['*'] }] })).status, 200);
  const again = await delayUntil(async () => (await chat(A)) === 200 && fake.requests.at(-1)?.apiKey === rotated, 'A to use the key rotated on C');
  console.log(`LISTEN back: key rotated on C → used by A after ${again} ms`);
  assert.ok(again < 1_000, `propagation took ${again} ms`);
  assert.equal(A.changes.findLast((c) => c.section === 'config')?.via, 'notify');
});

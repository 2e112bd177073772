// What a gateway keeps resident depends on its config: the database layer, prom-client, ws and
// Argon2id load only when a store, telemetry, request logging or a key needs them; and no gateway
// loads undici's package index (fetch, WebSocket, mocks), only its connection pool. Each case starts
// the gateway in a fresh process (tsx), records every module it loads — ESM through a load hook,
// CommonJS from the require cache — and checks which of the heavy packages are among them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const HEAVY = ['kysely', 'pg', 'better-sqlite3', 'prom-client', 'ws', 'hash-wasm', 'pino-pretty', '@msgpack/msgpack', 'undici/index.js'];

const HOOK = `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) { appendFileSync(process.env.LOAD_LOG, url + '\\n'); return next(url, context); }`;

// Runs in the child: install the hook, start and stop the gateway, add the CommonJS modules to the log.
const CHILD = `import { register, createRequire } from 'node:module';
import { appendFileSync } from 'node:fs';
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(HOOK)}));
const { startGateway } = await import(${JSON.stringify(new URL('../main.ts', import.meta.url).href)});
const gateway = await startGateway({ port: 0, host: '127.0.0.1', appDir: process.env.APP_DIR, logLevel: 'warn' });
await gateway.close();
appendFileSync(process.env.LOAD_LOG, Object.keys(createRequire(import.meta.url).cache).join('\\n') + '\\n');`;

/** The heavy packages a gateway started on `config` loaded (plus fastify, proving the recording works). */
async function packagesLoaded(config: object): Promise<Set<string>> {
  const dir = await mkdtemp(join(tmpdir(), 'bifrost-lazy-'));
  try {
    await writeFile(join(dir, 'config.json'), JSON.stringify(config));
    const log = join(dir, 'loaded.txt');
    await writeFile(log, '');
    await new Promise<void>((resolve, reject) => {
      execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], {
        cwd: root, env: { ...process.env, LOAD_LOG: log, APP_DIR: dir }, timeout: 60_000,
      }, (error, _stdout, stderr) => (error ? reject(new Error(`gateway child failed: ${stderr}`)) : resolve()));
    });
    const text = await readFile(log, 'utf8');
    assert.ok(text.includes('/node_modules/undici/lib/dispatcher/agent.js'), 'the engine loaded undici\'s Agent (the recording works)');
    return new Set([...HEAVY, 'fastify'].filter((name) => text.includes(`/node_modules/${name}${name.endsWith('.js') ? '' : '/'}`)));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const provider = { keys: [{ name: 'k', value: 'sk-test', models: [], weight: 1 }] };
const plain = {
  client: { enable_logging: false, enable_governance: false },
  providers: { openai: provider },
  plugins: [{ name: 'telemetry', enabled: false }],
  config_store: { enabled: false },
  logs_store: { enabled: false },
};

test('a file-only gateway without telemetry, logging or governance loads none of the heavy packages', async () => {
  assert.deepEqual([...await packagesLoaded(plain)], ['fastify']);
});

test('each feature loads only what it uses', async () => {
  const observability = await packagesLoaded({
    ...plain,
    client: { enable_logging: true, enable_governance: false },
    plugins: [{ name: 'telemetry', enabled: true }],
    logs_store: { enabled: true, type: 'sqlite', config: { path: 'logs.db' } },
  });
  assert.deepEqual([...observability].sort(), ['better-sqlite3', 'fastify', 'kysely', 'prom-client', 'ws']);
  const governance = await packagesLoaded({
    ...plain,
    client: { enable_logging: false, enable_governance: true },
    config_store: { enabled: true, type: 'sqlite', config: { path: 'config.db' } },
    encryption_key: 'a test key, not a secret',
  });
  assert.deepEqual([...governance].sort(), ['better-sqlite3', 'fastify', 'hash-wasm', 'kysely']);
});

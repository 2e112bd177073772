// Secrets on the default path (issue #20, 9): a gateway started on a fresh app dir makes the dir
// 0700 and config.db / logs.db (and their -wal/-shm) 0600; files an older version left 0644 are
// tightened at startup; with provider keys stored and no encryption key, a startup warning names
// the file and how to set a key — and stays quiet when a key is set or nothing secret is stored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../../../src/core/index.js';
import { parseConfig } from '../../../src/config/index.js';
import { startGateway } from '../../../src/main.js';

// The usual umask, so a file created with default permissions would come out 0644.
process.umask(0o022);

const mode = (path: string) => statSync(path).mode & 0o777;

function recordingLogger() {
  const warnings: Array<{ obj: object; msg: string }> = [];
  const logger: Logger = { debug() {}, info() {}, error() {}, warn: (obj, msg = '') => warnings.push({ obj, msg }) };
  return { logger, warnings };
}

async function runGateway(appDir: string, raw: Record<string, unknown>, env: Record<string, string>) {
  const { logger, warnings } = recordingLogger();
  const gw = await startGateway({
    port: 0, host: '127.0.0.1', appDir, loaded: parseConfig(raw, { env, source: 'test config.json' }), env, logger, shutdownGraceMs: 1_000,
  });
  // A request writes a log row, so logs.db has its WAL in use too.
  const answer = await fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
  });
  await answer.arrayBuffer();
  return { gw, warnings };
}

const withKey = {
  providers: { openai: { keys: [{ name: 'k', value: 'env.OPENAI_API_KEY', models: ['*'] }], network_config: { base_url: 'http://127.0.0.1:9' } } },
};
const ENV = { OPENAI_API_KEY: 'sk-test-secret-value' };

test('a fresh app dir is 0700, its databases 0600, and plaintext keys are warned about', async () => {
  const parent = mkdtempSync(join(tmpdir(), 'bifrost-privacy-'));
  const appDir = join(parent, 'app');
  try {
    const { gw, warnings } = await runGateway(appDir, withKey, ENV);
    try {
      assert.equal(mode(appDir), 0o700);
      for (const name of ['config.db', 'logs.db']) {
        assert.equal(mode(join(appDir, name)), 0o600, name);
        for (const suffix of ['-wal', '-shm']) {
          const path = join(appDir, `${name}${suffix}`);
          if (existsSync(path)) assert.equal(mode(path), 0o600, `${name}${suffix}`);
        }
      }
      const warning = warnings.find((w) => w.msg.includes('no encryption key'));
      assert.ok(warning, `warned: ${JSON.stringify(warnings)}`);
      assert.ok(warning.msg.includes(join(appDir, 'config.db')), warning.msg);
      assert.match(warning.msg, /"encryption_key"/);
      assert.match(warning.msg, /BIFROST_ENCRYPTION_KEY/);
      assert.ok(!JSON.stringify(warnings).includes(ENV.OPENAI_API_KEY), 'the secret itself is never logged');
    } finally {
      await gw.close();
    }
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});

test('files an older version left 0644 are tightened at startup; an existing app dir is left as it is', async () => {
  const appDir = mkdtempSync(join(tmpdir(), 'bifrost-privacy-'));
  try {
    chmodSync(appDir, 0o755);
    const first = await runGateway(appDir, withKey, ENV);
    await first.gw.close();
    const databases = ['config.db', 'logs.db'].map((name) => join(appDir, name));
    for (const path of databases) chmodSync(path, 0o644);
    // WAL/SHM files an unclean stop left behind (empty ones are valid) must not stay readable either.
    // Only config.db's: the logs write thread of the stopped gateway may still have logs.db's mapped.
    const sidecars = [`${databases[0]}-wal`, `${databases[0]}-shm`];
    for (const path of sidecars) writeFileSync(path, '', { mode: 0o644 });
    const second = await runGateway(appDir, withKey, ENV);
    try {
      for (const path of [...databases, ...sidecars]) assert.equal(mode(path), 0o600, path);
      assert.equal(mode(appDir), 0o755, 'a directory we did not create keeps its mode');
    } finally {
      await second.gw.close();
    }
  } finally {
    rmSync(appDir, { recursive: true, force: true });
  }
});

test('no warning with an encryption key, nor when no provider key is stored', async () => {
  for (const [raw, env] of [
    [{ ...withKey, encryption_key: 'env.BIFROST_ENCRYPTION_KEY' }, { ...ENV, BIFROST_ENCRYPTION_KEY: 'a-long-enough-test-key-0123456789' }],
    [{}, {}],
  ] as const) {
    const parent = mkdtempSync(join(tmpdir(), 'bifrost-privacy-'));
    try {
      const { gw, warnings } = await runGateway(join(parent, 'app'), raw as Record<string, unknown>, env);
      await gw.close();
      assert.deepEqual(warnings.filter((w) => w.msg.includes('encryption')), [], JSON.stringify(raw));
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  }
});

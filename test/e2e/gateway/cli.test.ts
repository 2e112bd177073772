// The `bifrost` command as a child process: invalid config exits 1 naming every key path (no stack
// trace); a valid one prints where it listens and the providers; SIGTERM lets an in-flight stream
// finish before the process exits 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeOpenAI } from '../../support/fake-openai-upstream.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

interface Run { child: ChildProcess; stdout: () => string; stderr: () => string; exit: Promise<number | null> }

function runCli(args: string[], env: Record<string, string> = {}): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: root, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => { out += c.toString(); });
  child.stderr!.on('data', (c: Buffer) => { err += c.toString(); });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exit };
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}

async function listeningUrl(run: Run): Promise<string> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const match = /"url":"(http:\/\/[^"]+)"/.exec(run.stdout());
    if (match) return match[1]!;
    if (run.child.exitCode !== null) throw new Error(`CLI exited early (${run.child.exitCode}): ${run.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`CLI never reported where it listens; stdout: ${run.stdout()} stderr: ${run.stderr()}`);
}

test('invalid config.json → exit code 1 with every bad key path, no stack trace', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bifrost-cli-'));
  try {
    await writeFile(join(dir, 'config.json'), JSON.stringify({
      client: { max_request_body_size_mb: 'big' },
      providers: { openai: { keys: [{ name: 'k', value: 'env.SURELY_UNSET_VAR_X', weight: 'heavy' }] } },
    }));
    const run = runCli(['-app-dir', dir, '-port', '0']);
    const code = await withTimeout(run.exit, 20_000, 'CLI exit');
    assert.equal(code, 1);
    const err = run.stderr();
    assert.match(err, /client\.max_request_body_size_mb: expected number, got string/);
    assert.match(err, /providers\.openai\.keys\[0\]\.weight: expected number, got string/);
    assert.match(err, /providers\.openai\.keys\[0\]\.value: environment variable SURELY_UNSET_VAR_X is not set/);
    assert.ok(!/\n\s+at /.test(err), `no stack trace expected:\n${err}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('bad flag → usage error exit code 2', async () => {
  const run = runCli(['--log-style=fancy']);
  assert.equal(await withTimeout(run.exit, 20_000, 'CLI exit'), 2);
  assert.match(run.stderr(), /json or pretty/);
});

test('starts, logs address and providers, drains an in-flight stream on SIGTERM, exits 0', async () => {
  const fake = await startFakeOpenAI();
  const dir = await mkdtemp(join(tmpdir(), 'bifrost-cli-'));
  let run: Run | undefined;
  try {
    await writeFile(join(dir, 'config.json'), JSON.stringify({
      providers: { openai: { keys: [{ name: 'k', value: 'env.TEST_OPENAI_KEY', models: ['*'] }], network_config: { base_url: fake.origin } } },
    }));
    run = runCli(['--app-dir', dir, '--port=0', '-host', '127.0.0.1'], { TEST_OPENAI_KEY: 'sk-from-env' });
    const url = await listeningUrl(run);
    assert.match(run.stdout(), /providers: openai/);
    fake.behave({ chunks: 6, chunkDelayMs: 150 });
    const res = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'x' }], stream: true }),
    });
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    const first = await reader.read();
    assert.ok(!first.done);
    run.child.kill('SIGTERM');
    let text = Buffer.from(first.value!).toString();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString();
    }
    assert.match(text, /data: \[DONE\]\n\n$/, 'the in-flight stream finished after SIGTERM');
    assert.equal(await withTimeout(run.exit, 20_000, 'CLI exit after SIGTERM'), 0);
    assert.equal(fake.requests[0]?.apiKey, 'sk-from-env');
  } finally {
    if (run && run.child.exitCode === null) run.child.kill('SIGKILL');
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('`bifrost gossip-agent` runs the memberlist agent: a started event, then a clean exit after -run-for', async () => {
  const run = runCli(['gossip-agent', '-name', 'cli-agent', '-bind', '127.0.0.1', '-port', '0', '-run-for', '1s']);
  const code = await withTimeout(run.exit, 20_000, 'gossip-agent to exit after -run-for 1s');
  assert.equal(code, 0, run.stderr());
  const events = run.stdout().trim().split('\n').map((line) => JSON.parse(line) as { event: string; name?: string });
  assert.ok(events.some((e) => e.event === 'started' && e.name === 'cli-agent'), run.stdout());
});

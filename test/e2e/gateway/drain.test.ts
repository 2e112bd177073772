// Draining (issue #22): from the moment shutdown begins, readiness is 503 while liveness stays 200,
// new connections are still served during the drain delay (each response closing its connection),
// in-flight streams complete, and the report says nothing was cut; past the deadline what still
// runs is cut and counted. The CLI: SIGTERM lets 20 streams finish and exits 0; a second SIGTERM
// cuts them, says how many, and exits 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../../src/core/index.js';
import { parseConfig } from '../../../src/config/index.js';
import { startGateway } from '../../../src/main.js';
import { startFakeOpenAI, type FakeOpenAI } from '../../support/fake-openai-upstream.js';
import { httpRequest, rawRequest } from '../../support/raw-http.js';
import { waitFor } from '../../support/wait.js';
import { openaiProvider } from './harness.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const streamBody = JSON.stringify({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'x' }], stream: true });
const chatBody = JSON.stringify({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'x' }] });

/** Starts a stream and resolves with a function that reads it to the end (true when [DONE] came). */
async function openStream(url: string): Promise<() => Promise<boolean>> {
  const res = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: streamBody });
  assert.equal(res.status, 200);
  const reader = res.body!.getReader();
  const first = await reader.read();
  assert.ok(!first.done, 'the first event arrived');
  return async () => {
    let text = Buffer.from(first.value!).toString();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        text += Buffer.from(value).toString();
      }
    } catch {
      return false; // cut
    }
    return /data: \[DONE\]\n\n$/.test(text);
  };
}

test('while draining: readiness 503, liveness 200, new requests served with connection: close, streams complete, nothing cut', async () => {
  const fake = await startFakeOpenAI();
  const gw = await startGateway({
    port: 0, host: '127.0.0.1', loaded: parseConfig({ providers: { openai: openaiProvider(fake.origin) } }, { env: {} }),
    logger: silentLogger, env: {}, drainDelayMs: 1_500, shutdownGraceMs: 10_000,
  });
  try {
    assert.equal((await rawRequest(gw.port, httpRequest('GET', '/health/ready'))).status, 200);
    fake.behave({ chunks: 8, chunkDelayMs: 150, times: 1 });
    const finish = await openStream(gw.url);
    const closed = gw.close();
    const ready = await rawRequest(gw.port, httpRequest('GET', '/health/ready'));
    assert.equal(ready.status, 503);
    assert.deepEqual(JSON.parse(ready.body), { status: 'draining' });
    const live = await rawRequest(gw.port, httpRequest('GET', '/health'));
    assert.equal(live.status, 200, 'liveness stays true while draining');
    assert.equal(live.headers.connection, 'close');
    const served = await rawRequest(gw.port, httpRequest('POST', '/v1/chat/completions', chatBody, { 'content-type': 'application/json' }));
    assert.equal(served.status, 200, 'a request routed here during the drain delay succeeds');
    assert.equal(served.headers.connection, 'close');
    assert.equal(served.closedByServer, true);
    assert.equal(await finish(), true, 'the in-flight stream completed');
    assert.deepEqual(await closed, { cut: 0 });
  } finally {
    await gw.close();
    await fake.close();
  }
});

test('past the deadline, what still runs is cut and counted', async () => {
  const fake = await startFakeOpenAI();
  const gw = await startGateway({
    port: 0, host: '127.0.0.1', loaded: parseConfig({ providers: { openai: openaiProvider(fake.origin) } }, { env: {} }),
    logger: silentLogger, env: {}, drainDelayMs: 0, shutdownGraceMs: 400,
  });
  try {
    fake.behave({ chunks: 100, chunkDelayMs: 100, times: 3 });
    const streams = await Promise.all([openStream(gw.url), openStream(gw.url), openStream(gw.url)]);
    const report = await gw.close();
    assert.equal(report.cut, 3);
    assert.deepEqual(await Promise.all(streams.map((finish) => finish())), [false, false, false]);
  } finally {
    await fake.close();
  }
});

function runCli(dir: string, env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', '-app-dir', dir, '-port', '0', '-host', '127.0.0.1', '-drain-delay', '0', '-shutdown-timeout', '60'], {
    cwd: root, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => { out += c.toString(); });
  child.stderr!.on('data', (c: Buffer) => { out += c.toString(); });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exit };
}

async function cliWithStreams(fake: FakeOpenAI, dir: string, chunks: number, chunkDelayMs: number) {
  await writeFile(join(dir, 'config.json'), JSON.stringify({
    config_store: { enabled: false },
    providers: { openai: { keys: [{ name: 'k', value: 'sk-x', models: ['*'] }], network_config: { base_url: fake.origin } } },
  }));
  const run = runCli(dir, {});
  const url = await waitFor(() => /"url":"(http:\/\/[^"]+)"/.exec(run.output())?.[1], { timeoutMs: 20_000, message: 'the CLI printing where it listens' });
  fake.behave({ chunks, chunkDelayMs, times: 20 });
  const streams = await Promise.all(Array.from({ length: 20 }, () => openStream(url)));
  return { run, streams };
}

test('CLI: SIGTERM with 20 streams in flight lets all complete and exits 0; a second SIGTERM cuts them and says how many', async () => {
  const fake = await startFakeOpenAI();
  const dir = await mkdtemp(join(tmpdir(), 'bifrost-drain-'));
  const runs: Array<ReturnType<typeof runCli>> = [];
  try {
    const calm = await cliWithStreams(fake, dir, 6, 150);
    runs.push(calm.run);
    calm.run.child.kill('SIGTERM');
    assert.deepEqual(new Set(await Promise.all(calm.streams.map((finish) => finish()))), new Set([true]), 'all 20 streams completed');
    assert.equal(await calm.run.exit, 0);
    assert.match(calm.run.output(), /shutdown complete: nothing was cut/);

    const hurried = await cliWithStreams(fake, dir, 200, 100);
    runs.push(hurried.run);
    hurried.run.child.kill('SIGTERM');
    await waitFor(() => /draining/.test(hurried.run.output()), { message: 'the drain to begin' });
    hurried.run.child.kill('SIGTERM');
    assert.deepEqual(new Set(await Promise.all(hurried.streams.map((finish) => finish()))), new Set([false]), 'all 20 streams were cut');
    assert.equal(await hurried.run.exit, 1);
    assert.match(hurried.run.output(), /cut 20 in-flight request\(s\) and stream\(s\) \(second signal\)/);
  } finally {
    for (const run of runs) if (run.child.exitCode === null) run.child.kill('SIGKILL');
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  }
});

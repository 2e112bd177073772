// The hostile-input suite (issue #20): thousands of generated malformed requests across every route
// family against a gateway in its own process, then the checks a hostile client must never break:
// the process is up, no 5xx but an upstream's passed through, no stack trace, file path or
// secret in any response, no connection left open once the clients are gone, and RSS back within
// 30 MB of where it started. HOSTILE_RUNS (default 5000) and HOSTILE_SEED replay or widen a run.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { startFakeOpenAI, type FakeOpenAI } from '../../support/fake-openai-upstream.js';
import { httpRequest, rawRequest, type RawResponse } from '../../support/raw-http.js';
import { waitFor } from '../../support/wait.js';
import { hostileRequest, type HostileRequest } from './requests.js';
import { SECRETS } from './target.js';

const RUNS = Number(process.env.HOSTILE_RUNS ?? 5000);
const SEED = Number(process.env.HOSTILE_SEED ?? 20261204);
const CONCURRENCY = 16;
const here = dirname(fileURLToPath(import.meta.url));
const appDir = mkdtempSync(join(tmpdir(), 'bifrost-hostile-'));
const LEAKS: Array<[string, RegExp]> = [
  ['a stack trace', /\n\s+at \S.*:\d+:\d+|node:internal|at async /],
  ['a file path', new RegExp(`${appDir.replace(/[/.]/g, '\\$&')}|/(?:work|home|root|usr|tmp)/\\S+\\.(?:[cm]?js|ts|db)\\b`)],
  ['a secret', new RegExp([SECRETS.providerKey, SECRETS.adminPassword, SECRETS.virtualKey, '\\$argon2id\\$'].join('|').replace(/\./g, '\\.'))],
];

let fake: FakeOpenAI;
let child: ChildProcessWithoutNullStreams;
let port = 0;
let stderr = '';

function lines(pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (chunk: Buffer): void => {
      buffered += chunk.toString();
      const match = pattern.exec(buffered);
      if (match) {
        child.stdout.off('data', onData);
        resolve(match[0]);
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`gateway exited (${code}) before printing ${pattern}: ${stderr.slice(-2000)}`)));
  });
}

const rssKb = (): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1]);
/** Runs a full GC in the gateway; returns how many errors its process guard caught so far. */
async function collectGarbage(): Promise<number> {
  const done = lines(/GC escaped=\d+/);
  child.stdin.write('gc\n');
  return Number((await done).split('=')[1]);
}

/** Accepted connections on the gateway's port that are still open (not TIME_WAIT), from /proc/net/tcp*. */
function openServerConnections(): number {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  let open = 0;
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10) continue;
      const [, local, , state, , , , , , inode] = fields;
      if (local?.endsWith(`:${hexPort}`) && state !== '0A' && state !== '06' && inode !== '0') open += 1;
    }
  }
  return open;
}

before(async () => {
  fake = await startFakeOpenAI();
  child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', join(here, 'gateway-child.ts'), fake.origin, appDir], { stdio: 'pipe' });
  child.stderr.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-20_000); });
  port = Number((await lines(/READY (\d+)/)).split(' ')[1]);
});
after(async () => {
  child?.stdin.end();
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(kill);
  }
  await fake?.close();
  rmSync(appDir, { recursive: true, force: true });
});

async function login(): Promise<string> {
  const res = await rawRequest(port, httpRequest('POST', '/api/session/login', JSON.stringify({ username: 'admin', password: SECRETS.adminPassword }),
    { 'content-type': 'application/json' }));
  assert.equal(res.status, 200, res.body);
  return (JSON.parse(res.body) as { token: string }).token;
}

function check(request: HostileRequest, res: RawResponse): string | undefined {
  if (res.timedOut) return 'no answer within 5 s';
  if (res.status === 0) return res.closedByServer ? 'connection closed with no answer' : 'no status line';
  if (res.status >= 500) {
    let upstream = false;
    try {
      upstream = (JSON.parse(res.body) as { is_bifrost_error?: boolean }).is_bifrost_error === false;
    } catch { /* not JSON: not an upstream's error passed through */ }
    if (!upstream) return `status ${res.status}: ${res.body.slice(0, 300)}`;
  }
  const text = JSON.stringify(res.headers) + res.body;
  for (const [what, pattern] of LEAKS) {
    const match = pattern.exec(text);
    if (match) return `response shows ${what}: ${JSON.stringify(match[0])}`;
  }
  return undefined;
}

test(`${RUNS} generated hostile requests: the gateway stays up, answers each with no 5xx, leak or open socket`, async () => {
  const session = await login();
  // Warm up with good requests so the start figures include the pools and JIT a normal load builds.
  const warm = httpRequest('POST', '/v1/chat/completions', JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }), { 'content-type': 'application/json' });
  for (let i = 0; i < 20; i++) await Promise.all(Array.from({ length: CONCURRENCY }, () => rawRequest(port, warm)));
  await collectGarbage();
  const rssStart = rssKb();

  const samples = fc.sample(hostileRequest(session), { numRuns: RUNS, seed: SEED });
  const failures: string[] = [];
  const byStatus = new Map<number, number>();
  const families = new Set<string>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < samples.length) {
      const request = samples[next++]!;
      const res = await rawRequest(port, request.parts, { timeoutMs: 5_000 });
      families.add(request.family);
      byStatus.set(res.status, (byStatus.get(res.status) ?? 0) + 1);
      const problem = check(request, res);
      if (problem && failures.length < 20) failures.push(`${problem}\n    request: ${request.describe}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const summary = [...byStatus].sort(([a], [b]) => a - b).map(([status, n]) => `${status}:${n}`).join(' ');
  process.stdout.write(`# hostile: ${samples.length} requests, seed ${SEED}, statuses ${summary}\n`);

  assert.equal(child.exitCode, null, `the gateway process died: ${stderr.slice(-2000)}`);
  assert.deepEqual(failures, [], `seed ${SEED}; statuses ${summary}`);
  assert.ok(families.size >= 17, `every route family was tried (${families.size})`);
  const health = await rawRequest(port, httpRequest('GET', '/health'));
  assert.equal(health.status, 200, 'still healthy');
  assert.equal(await collectGarbage(), 0, `errors reached the process guard: ${stderr.slice(-2000)}`);

  await waitFor(() => openServerConnections() === 0 || undefined, { timeoutMs: 10_000, message: 'no connection left open on the gateway' })
    .catch((error: Error) => assert.fail(`${error.message}: ${openServerConnections()} still open`));
  let rssEnd = 0;
  await waitFor(async () => {
    await collectGarbage();
    rssEnd = rssKb();
    return rssEnd - rssStart <= 30 * 1024 || undefined;
  }, { timeoutMs: 20_000, intervalMs: 500, message: 'RSS back within 30 MB of its start' })
    .catch((error: Error) => assert.fail(`${error.message}: ${Math.round(rssStart / 1024)} MB at the start, ${Math.round(rssEnd / 1024)} MB after`));
  process.stdout.write(`# hostile: RSS ${Math.round(rssStart / 1024)} -> ${Math.round(rssEnd / 1024)} MB\n`);
});

// Checks of the instruction-count benchmark (instructions.mjs): callgrind's per-thread dump files
// are read into per-role totals as documented, and a real run under valgrind counts exactly the
// requested window on the pass-through. Needs valgrind (Debian package `valgrind`): without it
// the test fails and says so, in CI and locally alike.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { callgrindMissing, parseTotal, readDump } from './lib/callgrind.mjs';
import { buildTargets } from './lib/targets.mjs';
import { requestBody } from './lib/payloads.mjs';
import { startMockUpstream } from './mock-upstream.mjs';

const run = promisify(execFile);

function tempDir(t) {
  const dir = mkdtempSync(join(tmpdir(), 'bifrost-cg-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A minimal callgrind output file: header, a function or two, and the totals line. */
const dumpFile = (total, fns) => `# callgrind format\nversion: 1\nevents: Ir\n${fns.map((f) => `fn=${f}\n0 1\n`).join('')}summary: ${total}\n\ntotals: ${total}\n`;

test('a dump is summed per thread role: main thread, JavaScript workers, helpers', (t) => {
  const dir = tempDir(t);
  const out = join(dir, 'target.callgrind');
  writeFileSync(`${out}.1-01`, dumpFile(1000, ['(1) uv_run', '(2) Builtins_JSEntry']));
  writeFileSync(`${out}.1-02`, dumpFile(300, ['(1) v8::internal::ScavengerCollector::JobTask::Run']));
  writeFileSync(`${out}.1-12`, dumpFile(500, ['(1) node::worker::Worker::Run', '(2) Builtins_JSEntry', '(3) sqlite3_step']));
  writeFileSync(`${out}.2-01`, dumpFile(99_999, ['(1) uv_run'])); // a later dump: not read
  writeFileSync(`${out}`, dumpFile(77_777, ['(1) uv_run'])); // the dump at exit: not read
  assert.deepEqual(readDump(out), { loop: 1000, js: 500, helper: 300, total: 1800, threads: 3 });
  assert.deepEqual(readDump(out, 2), { loop: 99_999, js: 0, helper: 0, total: 99_999, threads: 1 });
  assert.throws(() => readDump(out, 3), /no callgrind dump 3/);
  assert.equal(parseTotal('events: Ir\ntotals: 42\n'), 42);
  assert.throws(() => parseTotal('events: Ir\n'), /no summary or totals line/);
});

test('under callgrind, the pass-through is counted over exactly the requests asked for', { timeout: 180_000 }, async (t) => {
  const missing = callgrindMissing();
  if (missing) assert.fail(`${missing}; ${process.env.CI ? 'CI must install it (.ci/run)' : 'install it to run this test'}`);
  const out = tempDir(t);
  const script = new URL('./instructions.mjs', import.meta.url).pathname;
  const { stdout } = await run(process.execPath, [script, '--targets', 'passthrough', '--modes', 'plain', '--requests', '300', '--warmup', '2000', '--out', out], { timeout: 170_000 });
  const report = JSON.parse(readFileSync(join(out, 'instructions.json'), 'utf8'));
  const result = report.results.plain.passthrough;
  assert.equal(result.error, undefined, stdout);
  assert.equal(result.requests, 300);
  const { loop, js, helper, total } = result.perRequest;
  // A forwarded request is some 10⁵ instructions of node:http, undici and V8. Counting left on for
  // the warm-up (or start-up) would read several times more; counting never turned on reads 0.
  assert.ok(loop > 50_000 && loop < 600_000, `event loop ${loop} instructions per request`);
  assert.equal(js, 0, 'the pass-through runs no worker threads');
  // Each is a count divided by the requests, so they add up to within a rounding error.
  assert.ok(Math.abs(total - (loop + helper)) <= 1e-9 * total, `total ${total} = event loop ${loop} + helpers ${helper}`);
  assert.match(readFileSync(join(out, 'instructions.md'), 'utf8'), /\| pass-through \(node:http\+undici\) \| \d+k \| 0k \| \d+k \| \d+k \| 1\.00× \| 1\.00× \|/);
});

test('the telemetry + logging target settles once the log rows of every request so far are committed', { timeout: 120_000 }, async (t) => {
  const repoDir = new URL('..', import.meta.url).pathname;
  if (!existsSync(join(repoDir, 'dist', 'cli.js'))) assert.fail('dist/cli.js is missing: run `npm run build` first');
  const mock = await startMockUpstream();
  t.after(() => mock.close());
  const workDir = tempDir(t);
  const [target] = buildTargets(['observability']);
  const handle = await target.start({
    mockUrl: `http://127.0.0.1:${mock.port}`, workDir, benchDir: join(repoDir, 'bench'), repoDir, logLevel: 'warn',
    startTimeoutMs: 60_000, logsBatchInterval: '10s',
  });
  t.after(() => handle.stop());
  for (let i = 0; i < 20; i++) {
    const res = await fetch(handle.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: requestBody(false) });
    assert.equal(res.status, 200);
    await res.arrayBuffer();
  }
  const base = new URL(handle.url).origin;
  const rows = async () => (await (await fetch(`${base}/api/logs?limit=1`)).json()).pagination.total_count;
  // The write thread holds the rows until its 10 s commit: settling is what makes them readable.
  assert.ok(await rows() < 22, 'rows were committed before the batch interval');
  await handle.settle();
  assert.equal(await rows(), 22, 'the 20 requests and the 2 probes are all written');
});

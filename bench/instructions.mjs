// `npm run bench:instructions`: the instructions each target executes per request, counted by
// valgrind's callgrind (bench/lib/callgrind.mjs), for the same targets, mock and payloads as
// `npm run bench`. Timings on a shared machine swing by tens of per cent from one minute to the
// next; an instruction count repeats within a few per cent whatever else the machine runs, so
// this is the figure to quote before and after a change to the request path. It leaves out
// kernel work (system calls, loopback TCP, page writes) and the cost of cache misses, which the
// timed benchmark includes.
// Per target and mode: start it under callgrind with counting off, send `--warmup` requests,
// count `--requests` requests, dump, stop. Counts are split by thread: the event loop, other
// threads running JavaScript (the SQLite logs write thread), and helpers (GC, compiler, libuv).
// Writes bench/results/instructions.json and instructions.md.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startNodeServer } from './lib/processes.mjs';
import { startLoadGenerator } from './lib/load.mjs';
import { buildTargets } from './lib/targets.mjs';
import { requestBodyFor } from './lib/payloads.mjs';
import { callgrindControl, callgrindLauncher, callgrindMissing, readDump } from './lib/callgrind.mjs';
import { commit, machine } from './lib/meta.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoDir = dirname(benchDir);
const MODES = ['plain', 'stream', 'history'];
const ROLES = ['loop', 'js', 'helper', 'total'];

const HELP = `node bench/instructions.mjs [flags]
  --targets LIST      passthrough,minimal,gateway,governance,observability
                      (default passthrough,minimal,gateway,observability)
  --modes LIST        plain,stream,history (default plain,stream)
  --requests N        requests counted per target and mode (2000)
  --warmup N          requests sent first, not counted (5000)
  --connections N     concurrent connections (10)
  --out DIR           where to write instructions.json and .md (bench/results)
  --keep              keep the temp work dir (callgrind files, gateway logs)`;

function options() {
  const { values } = parseArgs({
    options: {
      help: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      targets: { type: 'string', default: 'passthrough,minimal,gateway,observability' },
      modes: { type: 'string', default: 'plain,stream' },
      requests: { type: 'string', default: '2000' },
      warmup: { type: 'string', default: '5000' },
      connections: { type: 'string', default: '10' },
      out: { type: 'string', default: join(benchDir, 'results') },
    },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    process.exit(0);
  }
  const count = (name) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${values[name]}`);
    return n;
  };
  const modes = values.modes.split(',').map((m) => m.trim()).filter(Boolean);
  const unknown = modes.filter((m) => !MODES.includes(m));
  if (unknown.length > 0) throw new Error(`--modes: unknown ${unknown.join(', ')} (expected ${MODES.join(', ')})`);
  return {
    keep: values.keep,
    targets: values.targets.split(',').map((t) => t.trim()).filter(Boolean),
    modes,
    requests: count('requests'),
    warmup: count('warmup'),
    connections: count('connections'),
    outDir: values.out,
  };
}

const log = (text) => process.stdout.write(`${text}\n`);

/** Counts one started target: warm-up, then `requests` counted requests; per request by thread role. */
async function count(handle, mode, outFile, ctx) {
  const job = { kind: 'throughput', url: handle.url, body: requestBodyFor(mode), headers: handle.headers, connections: ctx.opts.connections };
  const warm = await ctx.load.run({ ...job, amount: ctx.opts.warmup });
  if (warm.non2xx + warm.errors > 0) throw new Error(`warm-up: ${warm.non2xx} non-2xx answers, ${warm.errors} errors`);
  // A target that writes request logs commits them in batches: the window opens once the warm-up's
  // rows are written and closes once the counted requests' rows are, so it holds exactly theirs.
  await handle.settle?.();
  callgrindControl(handle.pid, 'on');
  const run = await ctx.load.run({ ...job, amount: ctx.opts.requests });
  await handle.settle?.();
  callgrindControl(handle.pid, 'dump');
  callgrindControl(handle.pid, 'off');
  if (run.non2xx + run.errors > 0) throw new Error(`counted run: ${run.non2xx} non-2xx answers, ${run.errors} errors`);
  const counts = readDump(outFile);
  const perRequest = Object.fromEntries(ROLES.map((role) => [role, counts[role] / run.ok]));
  return { requests: run.ok, threads: counts.threads, perRequest };
}

const kilo = (n) => (Number.isFinite(n) ? `${Math.round(n / 1000)}k` : '–');
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : '–');

/** One table per mode: instructions per request by thread role, and against the pass-through. */
function tables(results, labels) {
  const lines = [];
  for (const [mode, byTarget] of Object.entries(results)) {
    const base = byTarget.passthrough?.perRequest;
    lines.push(`### ${mode}`, '', '| target | event loop | JS worker threads | helper threads | total | total × pass-through | event loop × pass-through |', '|---|---|---|---|---|---|---|');
    for (const [name, result] of Object.entries(byTarget)) {
      if (result.error) {
        lines.push(`| ${labels[name]} | failed: ${result.error} | | | | | |`);
        continue;
      }
      const p = result.perRequest;
      lines.push(`| ${labels[name]} | ${kilo(p.loop)} | ${kilo(p.js)} | ${kilo(p.helper)} | ${kilo(p.total)} | ${ratio(p.total, base?.total)} | ${ratio(p.loop, base?.loop)} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

/** A flag or a missing tool: said in one line, without a stack. */
function usageError(message) {
  process.stderr.write(`instructions: ${message}\n`);
  process.exit(2);
}

async function main() {
  let opts;
  try {
    opts = options();
  } catch (error) {
    usageError(error.message);
  }
  const missing = callgrindMissing();
  if (missing) usageError(`callgrind is needed: ${missing}`);
  const started = Date.now();
  const workDir = mkdtempSync(join(tmpdir(), 'bifrost-instructions-'));
  const stops = [];
  const results = {};
  const labels = {};
  const meta = {
    date: new Date().toISOString(), commit: commit(repoDir), machine: machine(),
    command: `node bench/instructions.mjs ${process.argv.slice(2).join(' ')}`.trim(),
    settings: `${opts.requests} requests counted after ${opts.warmup} of warm-up, ${opts.connections} connections; `
      + 'user-space instructions per request (valgrind --tool=callgrind), split by thread',
  };
  try {
    log(`instructions: ${meta.settings}; work dir ${workDir}`);
    const mock = await startNodeServer([join(benchDir, 'mock-upstream.mjs')], {
      name: 'mock upstream', portFromStdout: true, logFile: join(workDir, 'mock.log'),
    });
    stops.push(mock.stop);
    const load = startLoadGenerator();
    stops.push(async () => load.stop());
    const mockUrl = `http://127.0.0.1:${mock.port}`;
    for (const mode of opts.modes) {
      results[mode] = {};
      for (const target of buildTargets(opts.targets)) {
        labels[target.name] = target.label;
        const outFile = join(workDir, `${target.name}-${mode}.callgrind`);
        // Under callgrind node starts in tens of seconds, not one.
        // The log writer's time settings scaled to callgrind's slowdown (about 50×): at full speed a
        // request ends well within the 250 ms its `processing` row is held back, and the write
        // thread commits hundreds of rows at a time. Left at 250 ms here, a varying share of the
        // slowed requests outlived it and got a second row write, and commits were a tenth as big.
        // (The window waits for the commits, see count(), so their size adds no noise of its own.)
        const ctx = {
          opts, load, mockUrl, workDir, benchDir, repoDir, logLevel: 'warn', launcher: callgrindLauncher(outFile),
          startTimeoutMs: 180_000, logsBatchInterval: '10s',
        };
        let handle;
        try {
          handle = await target.start(ctx);
          stops.push(handle.stop);
          log(`instructions: [${mode}] ${target.label} started under callgrind (pid ${handle.pid})`);
          results[mode][target.name] = await count(handle, mode, outFile, ctx);
          const p = results[mode][target.name].perRequest;
          log(`instructions: [${mode}] ${target.label}: ${kilo(p.total)} per request (event loop ${kilo(p.loop)}, JS workers ${kilo(p.js)}, helpers ${kilo(p.helper)})`);
        } catch (error) {
          // A target that did not start or count is reported as such; the run still counts the others.
          results[mode][target.name] = { error: error.message };
          process.exitCode = 1;
          log(`instructions: [${mode}] ${target.label} FAILED: ${error.message}`);
        } finally {
          await handle?.stop();
        }
      }
    }
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    if (!opts.keep) rmSync(workDir, { recursive: true, force: true });
  }
  meta.elapsedSec = Math.round((Date.now() - started) / 1000);
  const table = tables(results, labels);
  log(`\n${table}`);
  mkdirSync(opts.outDir, { recursive: true });
  writeFileSync(join(opts.outDir, 'instructions.json'), `${JSON.stringify({ meta, results }, null, 2)}\n`);
  writeFileSync(join(opts.outDir, 'instructions.md'), [
    '# Instructions per request', '',
    `${meta.date} · commit ${meta.commit} · ${meta.machine}`, '',
    `\`${meta.command}\` (${meta.elapsedSec} s): ${meta.settings}.`, '',
    'Counted by valgrind\'s callgrind: user-space instructions only (no kernel work, no cache-miss cost), '
      + 'repeatable within a few per cent on a busy machine. "JS worker threads" is the SQLite logs write '
      + 'thread; "helper threads" are V8\'s GC and compiler helpers and libuv\'s pool.', '',
    table,
  ].join('\n'));
  log(`instructions: done in ${meta.elapsedSec} s; wrote ${join(opts.outDir, 'instructions.md')}`);
}

main().catch((error) => {
  process.stderr.write(`instructions: ${error.stack ?? error}\n`);
  process.exitCode = 1;
});

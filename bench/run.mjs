// `npm run bench`: one run that measures the gateway against a bare pass-through proxy on the same
// mock upstream, for plain and streaming (20 SSE events) chat completions, and plain ones that carry
// a long chat history (request path cost per byte). For every target it
// warms up, then per repetition measures (a) throughput at a fixed number of connections,
// (b) latency at a fixed offered rate, reported as added latency over calling the mock directly,
// (c) the proxy process's CPU µs per request and (d) its peak RSS. Targets are interleaved and
// rotated per repetition so the noise of a shared machine hits all of them; figures are medians.
// Servers, load generator and this driver are separate processes. Writes bench/results/latest.json
// and latest.md. Flags: see `--help`.
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { clockTicks, cpuTicks, machineTicks, memory, rssSampler, startNodeServer } from './lib/processes.mjs';
import { startLoadGenerator } from './lib/load.mjs';
import { buildTargets, SkipTarget } from './lib/targets.mjs';
import { CHAT_PATH, HISTORY_TURNS, requestBodyFor } from './lib/payloads.mjs';
import { summarize, textTable, markdown } from './lib/report.mjs';
import { commit, machine } from './lib/meta.mjs';

const MODES = ['plain', 'stream', 'history'];
// The long-request mode is about the request path itself: the plugin variants add nothing to it.
const HISTORY_TARGETS = new Set(['passthrough', 'minimal', 'gateway']);

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoDir = dirname(benchDir);

const HELP = `node bench/run.mjs [flags]
  --quick                 ~40 s smoke run (1 repetition, short phases)
  --repeats N             repetitions per measurement, medians reported (3)
  --duration S            seconds of each throughput phase (4)
  --latency-duration S    seconds of each fixed-rate latency phase (3)
  --warmup S              seconds of warm-up per target and mode (2)
  --connections N         connections of the throughput phase, plain requests (50)
  --stream-connections N  connections of the throughput phase, streams (100)
  --rate R                offered requests/s of the latency phase, plain (500)
  --stream-rate R         offered requests/s of the latency phase, streams (200)
  --chunk-gap-ms MS       pause between the mock's SSE events (1)
  --mock-latency-ms MS    fixed mock latency before its response headers (0)
  --targets LIST          passthrough,minimal,gateway,governance,observability
  --modes LIST            plain,stream,history (history: plain requests carrying a long chat,
                          measured on the pass-through, minimal and plain gateway only)
  --log-level LEVEL       gateway -log-level (info)
  --keep                  keep the temp work dir (configs, gateway logs)
  --cpu-prof DIR          write a V8 CPU profile of each gateway process into DIR`;

function options() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      repeats: { type: 'string' },
      duration: { type: 'string' },
      'latency-duration': { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string', default: '50' },
      'stream-connections': { type: 'string', default: '100' },
      rate: { type: 'string', default: '500' },
      'stream-rate': { type: 'string', default: '200' },
      'chunk-gap-ms': { type: 'string', default: '1' },
      'mock-latency-ms': { type: 'string', default: '0' },
      targets: { type: 'string', default: 'passthrough,minimal,gateway,governance,observability' },
      modes: { type: 'string', default: 'plain,stream,history' },
      'log-level': { type: 'string', default: 'info' },
      'cpu-prof': { type: 'string' },
    },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    process.exit(0);
  }
  const pick = (name, normal, quick) => Number(values[name] ?? (values.quick ? quick : normal));
  return {
    quick: values.quick,
    keep: values.keep,
    repeats: pick('repeats', 3, 1),
    durationSec: pick('duration', 4, 1.5),
    latencySec: pick('latency-duration', 3, 1.5),
    warmupSec: pick('warmup', 2, 1),
    connections: { plain: Number(values.connections), stream: Number(values['stream-connections']), history: Number(values.connections) },
    rate: { plain: Number(values.rate), stream: Number(values['stream-rate']), history: Number(values.rate) },
    chunkGapMs: Number(values['chunk-gap-ms']),
    mockLatencyMs: Number(values['mock-latency-ms']),
    targets: values.targets.split(',').map((t) => t.trim()).filter(Boolean),
    modes: values.modes.split(',').map((m) => m.trim()).filter((m) => MODES.includes(m)),
    logLevel: values['log-level'],
    cpuProfDir: values['cpu-prof'] ? resolve(values['cpu-prof']) : undefined,
  };
}

const log = (text) => process.stdout.write(`${text}\n`);

async function measure(target, mode, ctx) {
  const body = requestBodyFor(mode);
  const sampler = rssSampler(target.pid);
  const ticks0 = cpuTicks(target.pid);
  const loopTicks0 = cpuTicks(target.pid, target.pid);
  const others0 = [cpuTicks(ctx.load.pid), cpuTicks(ctx.mockPid)];
  const machine0 = machineTicks();
  const throughput = await ctx.load.run({
    kind: 'throughput', url: target.url, body, headers: target.headers,
    connections: ctx.opts.connections[mode], durationSec: ctx.opts.durationSec,
  });
  const ticks1 = cpuTicks(target.pid);
  const loopTicks1 = cpuTicks(target.pid, target.pid);
  const others1 = [cpuTicks(ctx.load.pid), cpuTicks(ctx.mockPid)];
  const machine1 = machineTicks();
  // Peak RSS is judged under the controlled load (fixed connections); the open-loop phase can pile
  // up requests when the shared machine stalls, so its peak is kept apart.
  const rssPeakKb = sampler.stop();
  const rateSampler = rssSampler(target.pid);
  const rateTicks0 = cpuTicks(target.pid);
  // The direct call to the mock runs in the same job, interleaved, as the latency baseline.
  const latency = await ctx.load.run({
    kind: 'rate', body, rate: ctx.opts.rate[mode], durationSec: ctx.opts.latencySec, stream: mode === 'stream',
    targets: [{ url: target.url, headers: target.headers }, { url: ctx.directUrl, headers: {} }],
  });
  const rateTicks = cpuTicks(target.pid) - rateTicks0;
  const rssRatePeakKb = rateSampler.stop();
  const usPer = (ticks, requests) => (requests > 0 ? (ticks / ctx.ticksPerSec) * 1e6 / requests : NaN);
  const completed = throughput.ok + throughput.non2xx;
  const perRequest = (ticks) => usPer(ticks, completed);
  const cpuUsPerRequest = perRequest(ticks1 - ticks0);
  // The main thread's share: what bounds a target's throughput where its other threads (GC
  // helpers, the logs write thread) and the load generator have cores of their own.
  const loopCpuUsPerRequest = perRequest(loopTicks1 - loopTicks0);
  // CPU per request at the same offered rate for every target: at full load a slower proxy also
  // pays more per request for waking idle peers, which this figure is free of.
  const rateCpuUsPerRequest = usPer(rateTicks, latency.sentPerTarget);
  // Where the rest of the machine's CPU went, to see whether the proxy was the bottleneck.
  const loadCpuUsPerRequest = perRequest(others1[0] - others0[0]);
  const mockCpuUsPerRequest = perRequest(others1[1] - others0[1]);
  // The cores' idle share during the throughput phase: near 0 means every process together used
  // the machine up; well above it means a single thread (the target's event loop, or the load
  // generator) was the limit.
  const idle = machine1.idle - machine0.idle;
  const machineIdleShare = idle / (idle + machine1.busy - machine0.busy);
  const [rate, direct] = latency.results;
  return {
    throughput, rate, direct, achievedSendRps: latency.achievedSendRps, cpuUsPerRequest, loopCpuUsPerRequest, rateCpuUsPerRequest,
    loadCpuUsPerRequest, mockCpuUsPerRequest, machineIdleShare, rssPeakKb, rssRatePeakKb,
  };
}

async function main() {
  const opts = options();
  const started = Date.now();
  const workDir = mkdtempSync(join(tmpdir(), 'bifrost-bench-'));
  const stops = [];
  // Interrupted: stop every server this run started before leaving, never orphan them.
  const interrupt = (signal) => {
    log(`bench: ${signal}, stopping servers`);
    Promise.allSettled(stops.map((stop) => stop())).finally(() => {
      if (!opts.keep) rmSync(workDir, { recursive: true, force: true });
      process.exit(130);
    });
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  const raw = {
    meta: {
      date: new Date().toISOString(), commit: commit(repoDir), machine: machine(),
      command: `node bench/run.mjs ${process.argv.slice(2).join(' ')}`.trim(), settings: opts,
      settingsText: `${opts.repeats} repetitions; throughput ${opts.durationSec} s at ${opts.connections.plain} (plain) / `
        + `${opts.connections.stream} (stream) connections; history mode: ${HISTORY_TURNS} earlier turns in each request; latency ${opts.latencySec} s at ${opts.rate.plain} / ${opts.rate.stream} req/s; `
        + `warm-up ${opts.warmupSec} s; mock: ${opts.mockLatencyMs} ms latency, 20 SSE events ${opts.chunkGapMs} ms apart; gateway log level ${opts.logLevel}`,
    },
    skipped: [], notes: [], modes: {}, idleRssKb: {},
  };
  const labels = {};
  try {
    log(`bench: ${raw.meta.settingsText}`);
    log(`bench: work dir ${workDir}`);
    if (loadavg()[0] > cpus().length) {
      const warning = `machine busy at start (load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores): figures will be noisy`;
      raw.notes.push(warning);
      log(`bench: WARNING ${warning}`);
    }
    const mock = await startNodeServer([join(benchDir, 'mock-upstream.mjs'), '--chunk-gap-ms', String(opts.chunkGapMs), '--latency-ms', String(opts.mockLatencyMs)], {
      name: 'mock upstream', portFromStdout: true, logFile: join(workDir, 'mock.log'),
    });
    stops.push(mock.stop);
    const mockUrl = `http://127.0.0.1:${mock.port}`;
    const load = startLoadGenerator();
    stops.push(async () => load.stop());
    const ctx = { opts, load, mockPid: mock.pid, ticksPerSec: clockTicks(), mockUrl, directUrl: `${mockUrl}${CHAT_PATH}`, workDir, benchDir, repoDir, logLevel: opts.logLevel, cpuProfDir: opts.cpuProfDir };

    const running = [];
    for (const target of buildTargets(opts.targets)) {
      try {
        const handle = await target.start(ctx);
        stops.push(handle.stop);
        running.push({ ...target, ...handle });
        raw.idleRssKb[target.name] = memory(handle.pid)?.rssKb;
        labels[target.name] = target.label;
        log(`bench: ${target.label} ready (pid ${handle.pid})${handle.note ? ` — note: ${handle.note}` : ''}`);
        if (handle.note) raw.notes.push(`${target.label}: ${handle.note}`);
      } catch (error) {
        if (!(error instanceof SkipTarget)) throw error;
        raw.skipped.push({ target: target.label, reason: error.message });
        log(`bench: SKIPPING ${target.label}: ${error.message}`);
      }
    }
    if (running.length === 0) throw new Error('no target could be started');

    for (const mode of opts.modes) {
      raw.modes[mode] = {};
      const measured = running.filter((target) => mode !== 'history' || HISTORY_TARGETS.has(target.name));
      for (const target of measured) {
        raw.modes[mode][target.name] = [];
        log(`bench: [${mode}] warm-up ${target.label}`);
        await load.run({
          kind: 'throughput', url: target.url, body: requestBodyFor(mode), headers: target.headers,
          connections: opts.connections[mode], durationSec: opts.warmupSec,
        });
      }
      for (let rep = 0; rep < opts.repeats; rep++) {
        // Rotate the order each repetition so no target always runs first or last.
        const order = measured.map((_, i, all) => all[(i + rep) % all.length]);
        for (const target of order) {
          const result = await measure(target, mode, ctx);
          raw.modes[mode][target.name].push(result);
          const t = result.throughput;
          log(`bench: [${mode} ${rep + 1}/${opts.repeats}] ${target.label}: ${Math.round(t.rps)} req/s, `
            + `${Math.round(result.cpuUsPerRequest)} µs CPU/req (event loop ${Math.round(result.loopCpuUsPerRequest)}; load gen ${Math.round(result.loadCpuUsPerRequest)}, mock ${Math.round(result.mockCpuUsPerRequest)}; machine idle ${Math.round(result.machineIdleShare * 100)} %), p50/p99 ${Math.round(result.rate.latencyUs.p50)}/${Math.round(result.rate.latencyUs.p99)} µs `
            + `(direct ${Math.round(result.direct.latencyUs.p50)}/${Math.round(result.direct.latencyUs.p99)}), RSS ${(result.rssPeakKb / 1024).toFixed(1)} MB`
            + (t.non2xx + t.errors + result.rate.failed + result.direct.failed > 0
              ? ` — ERRORS: ${t.non2xx} non-2xx, ${t.errors} errors, ${result.rate.failed} failed (${result.rate.firstFailure ?? result.direct.firstFailure ?? ''})` : ''));
        }
      }
    }
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    if (!opts.keep) rmSync(workDir, { recursive: true, force: true });
  }

  const summary = summarize(raw);
  raw.meta.elapsedSec = Math.round((Date.now() - started) / 1000);
  raw.meta.loadAverageAtEnd = loadavg().map((l) => Number(l.toFixed(2)));
  log('');
  log(textTable(summary, labels));
  for (const s of raw.skipped) log(`skipped ${s.target}: ${s.reason}`);
  for (const n of raw.notes) log(`note: ${n}`);
  const outDir = join(benchDir, 'results');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'latest.json'), `${JSON.stringify({ ...raw, summary }, null, 2)}\n`);
  writeFileSync(join(outDir, 'latest.md'), markdown(raw, summary, labels));
  log(`\nbench: done in ${raw.meta.elapsedSec} s; wrote bench/results/latest.json and latest.md`);
}

main().catch((error) => {
  process.stderr.write(`bench: ${error.stack ?? error}\n`);
  process.exitCode = 1;
});

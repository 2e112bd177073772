#!/usr/bin/env node
// Does a flood of wrong admin logins slow inference down? (issue #20, 5.) Starts the real gateway
// (`dist/cli.js`, `npm run build` first, or `--gateway <cli.js>`) on 127.0.0.1 with the mocker
// example's config plus `governance.auth_config`, then offers chat completions at a fixed rate
// (open loop: one every `--probe-ms`, not waiting for the previous) and measures their latency:
// first with nothing else going on, then while wrong logins arrive at `--rate`/s for `--seconds`.
// Prints both p50/p99, the ratio of the p50s (target ≤ 2×), what the logins got back (401 = a
// password check ran, 429 = refused by the login limiter) and the gateway's CPU time, event loop
// and all threads apart. The mocker's latency is set to a fixed 5 ms so that a stalled event loop
// is not lost in the example's 20–60 ms random delay.
//
//   node bench/login-flood.mjs [--seconds 10] [--rate 50] [--probe-ms 50] [--gateway dist/cli.js]
//
// Bounded: at most `rate × seconds` logins (never more than 500 in flight), a hard stop after
// 3 minutes, everything on 127.0.0.1; the gateway and its temp app dir are removed at the end.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as delay } from 'node:timers/promises';
import { clockTicks, cpuTicks, freePort, startNodeServer, waitForHttp } from './lib/processes.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values: flags } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    rate: { type: 'string', default: '50' },
    'probe-ms': { type: 'string', default: '50' },
    gateway: { type: 'string', default: join(root, 'dist/cli.js') },
  },
});
const seconds = Math.min(Number(flags.seconds), 60);
const rate = Math.min(Number(flags.rate), 500);
const probeMs = Math.max(Number(flags['probe-ms']), 10);
const MAX_IN_FLIGHT = 500;
const PASSWORD = 'bench-admin-password-0123456789';

const hardStop = setTimeout(() => {
  console.error('login-flood: still running after 3 minutes, giving up');
  process.exit(2);
}, 180_000);
hardStop.unref();

const dir = mkdtempSync(join(tmpdir(), 'bifrost-login-flood-'));
const config = JSON.parse(readFileSync(join(root, 'examples/mocker/config.json'), 'utf8'));
config.plugins.find((p) => p.name === 'bifrost-mocker').config.global_latency = { type: 'fixed', min: '5ms' };
config.governance = { auth_config: { is_enabled: true, admin_username: 'admin', admin_password: 'env.BENCH_ADMIN_PASSWORD' } };
writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2));

const port = await freePort();
const origin = `http://127.0.0.1:${port}`;
const gateway = await startNodeServer([flags.gateway, '-app-dir', dir, '-host', '127.0.0.1', '-port', String(port), '-log-level', 'warn', '-drain-delay', '0'], {
  name: 'gateway', port, logFile: join(dir, 'gateway.log'), env: { BENCH_ADMIN_PASSWORD: PASSWORD },
  ready: () => waitForHttp(`${origin}/health`),
});

const chatBody = JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Hello!' }] });
async function chat() {
  const started = performance.now();
  const response = await fetch(`${origin}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: chatBody });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`chat answered ${response.status}`);
  return performance.now() - started;
}

/** Fires `fire()` every `everyMs` for `durationMs` without waiting for it; resolves when all settled. */
async function openLoop(everyMs, durationMs, fire) {
  const pending = [];
  const end = performance.now() + durationMs;
  let next = performance.now();
  while (next < end) {
    pending.push(fire());
    next += everyMs;
    await delay(Math.max(0, next - performance.now()));
  }
  return Promise.all(pending);
}

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const ms = (value) => `${value.toFixed(1)} ms`;

async function phase(name, durationMs, background) {
  const ticks = clockTicks();
  const before = { loop: cpuTicks(gateway.pid, gateway.pid), all: cpuTicks(gateway.pid) };
  const [latencies] = await Promise.all([openLoop(probeMs, durationMs, chat), background?.()]);
  const loopS = (cpuTicks(gateway.pid, gateway.pid) - before.loop) / ticks;
  const allS = (cpuTicks(gateway.pid) - before.all) / ticks;
  const result = { name, n: latencies.length, p50: percentile(latencies, 50), p99: percentile(latencies, 99), loopS, allS };
  console.log(`${name.padEnd(6)} chat p50 ${ms(result.p50)}  p99 ${ms(result.p99)}  (${result.n} requests)  gateway CPU: event loop ${loopS.toFixed(2)} s, all threads ${allS.toFixed(2)} s`);
  return result;
}

let exitCode = 0;
try {
  await openLoop(20, 1_000, chat); // warm-up
  console.log(`gateway ${flags.gateway} on ${origin}; chat every ${probeMs} ms; flood: ${rate} wrong logins/s for ${seconds} s`);
  const idle = await phase('idle', seconds * 1000);
  const statuses = new Map();
  let inFlight = 0;
  const login = async () => {
    if (inFlight >= MAX_IN_FLIGHT) return statuses.set('skipped', (statuses.get('skipped') ?? 0) + 1);
    inFlight += 1;
    try {
      const response = await fetch(`${origin}/api/session/login`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: `wrong-${Math.random()}` }),
      });
      await response.arrayBuffer();
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    } catch (error) {
      statuses.set(error.message, (statuses.get(error.message) ?? 0) + 1);
    } finally {
      inFlight -= 1;
    }
  };
  const flood = await phase('flood', seconds * 1000, () => openLoop(1000 / rate, seconds * 1000, login));
  const ratio = flood.p50 / idle.p50;
  console.log(`logins answered: ${[...statuses].map(([status, count]) => `${status}×${count}`).join(', ')}`);
  console.log(`p50 ratio flood/idle: ${ratio.toFixed(2)}× (target ≤ 2×) ${ratio <= 2 ? 'ok' : 'MISSED'}`);
  if (ratio > 2) exitCode = 1;
} finally {
  await gateway.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(exitCode);

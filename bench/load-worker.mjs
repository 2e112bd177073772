// The load generator, run as its own process (forked by run.mjs, jobs over IPC) so it never shares
// an event loop with a server under test or with the /proc sampling of the driver. Two kinds of job:
// - `throughput`: autocannon at a fixed number of connections for a bounded time (closed loop);
//   the answer is completed 2xx requests per second plus error counts.
// - `rate`: an open-loop generator at a fixed offered rate over one undici Pool, timing each
//   request with process.hrtime in microseconds (autocannon's histogram only keeps whole ms, too
//   coarse for added latencies well under a millisecond). For streams it also times the first
//   body chunk (TTFB) and checks the stream ended with `[DONE]`. The first 10 % of requests warm
//   the connections and are not counted.
import autocannon from 'autocannon';
import { Pool } from 'undici';

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

function summary(values) {
  const sorted = Float64Array.from(values).sort();
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.length > 0 ? sorted[sorted.length - 1] : NaN,
  };
}

async function throughput(job) {
  const result = await autocannon({
    url: job.url,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...job.headers },
    body: job.body,
    connections: job.connections,
    duration: job.durationSec,
    pipelining: 1,
    timeout: 30,
  });
  const ok = result['2xx'];
  return {
    rps: ok / result.duration,
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    durationSec: result.duration,
    latencyMsP50: result.latency.p50,
    latencyMsP99: result.latency.p99,
  };
}

async function rate(job) {
  const origin = new URL(job.url);
  const pool = new Pool(origin.origin, { connections: 512, pipelining: 1, keepAliveTimeout: 60_000 });
  const headers = { 'content-type': 'application/json', ...job.headers };
  const total = Math.max(1, Math.round(job.rate * job.durationSec));
  const skip = Math.floor(total * 0.1);
  const intervalNs = BigInt(Math.round(1e9 / job.rate));
  const latencies = [];
  const ttfbs = [];
  let failed = 0;
  let firstFailure;
  let finished = 0;
  let sent = 0;
  let resolveAll;
  const allDone = new Promise((resolve) => { resolveAll = resolve; });

  const fail = (why) => {
    failed++;
    firstFailure ??= why;
  };
  const settle = () => {
    finished++;
    if (finished === total) resolveAll();
  };
  const fire = (index) => {
    const t0 = process.hrtime.bigint();
    pool.request({ method: 'POST', path: origin.pathname, headers, body: job.body })
      .then(async ({ statusCode, body }) => {
        let first;
        let tail = '';
        for await (const part of body) {
          first ??= process.hrtime.bigint();
          tail = (tail + part.toString('latin1')).slice(-32);
        }
        const end = process.hrtime.bigint();
        if (statusCode !== 200) return fail(`HTTP ${statusCode}`);
        if (job.stream && !tail.includes('[DONE]')) return fail('stream ended without [DONE]');
        if (index < skip) return undefined;
        latencies.push(Number(end - t0) / 1000);
        if (first !== undefined) ttfbs.push(Number(first - t0) / 1000);
        return undefined;
      })
      .catch((error) => fail(error.message))
      .finally(settle);
  };

  const start = process.hrtime.bigint();
  await new Promise((resolve) => {
    const pump = () => {
      const now = process.hrtime.bigint();
      while (sent < total && start + BigInt(sent) * intervalNs <= now) fire(sent++);
      if (sent >= total) return resolve();
      const waitMs = Number(start + BigInt(sent) * intervalNs - process.hrtime.bigint()) / 1e6;
      setTimeout(pump, Math.max(0, Math.floor(waitMs)));
    };
    pump();
  });
  const elapsedSec = Number(process.hrtime.bigint() - start) / 1e9;
  await allDone;
  await pool.close();
  return {
    offeredRps: job.rate,
    achievedSendRps: total / elapsedSec,
    sent: total,
    failed,
    firstFailure,
    latencyUs: summary(latencies),
    ttfbUs: job.stream ? summary(ttfbs) : undefined,
  };
}

const JOBS = { throughput, rate };

process.on('message', (message) => {
  const run = JOBS[message.job.kind];
  const reply = (payload) => process.send({ id: message.id, ...payload });
  if (!run) return reply({ error: `unknown job kind ${message.job.kind}` });
  run(message.job).then((result) => reply({ result }), (error) => reply({ error: error.stack ?? String(error) }));
  return undefined;
});
process.on('disconnect', () => process.exit(0));

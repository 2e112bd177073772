// The load generator, run as its own process (forked by run.mjs, jobs over IPC) so it never shares
// an event loop with a server under test or with the /proc sampling of the driver. Two kinds of job:
// - `throughput`: autocannon at a fixed number of connections for a bounded time (closed loop),
//   or for exactly `amount` requests; the answer is completed 2xx requests per second plus error
//   counts.
// - `rate`: an open-loop generator at a fixed offered rate per target (undici Pools), timing each
//   request with process.hrtime in microseconds (autocannon's histogram only keeps whole ms, too
//   coarse for added latencies well under a millisecond). Several targets run interleaved in one
//   job so a proxy and the direct call are measured at the same moment. For streams it also times
//   the first body chunk (TTFB) and checks the stream ended with `[DONE]`. The first 10 % of each
//   target's requests warm the connections and are not counted.
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
    ...(job.amount ? { amount: job.amount } : { duration: job.durationSec }),
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

/** One stream of measurements against one URL inside a rate job. */
function lane(target, stream, skip) {
  const origin = new URL(target.url);
  const pool = new Pool(origin.origin, { connections: 512, pipelining: 1, keepAliveTimeout: 60_000 });
  const headers = { 'content-type': 'application/json', ...target.headers };
  const state = { latencies: [], ttfbs: [], failed: 0, firstFailure: undefined };
  const fail = (why) => {
    state.failed++;
    state.firstFailure ??= why;
  };
  return {
    fire(index, body) {
      const t0 = process.hrtime.bigint();
      return pool.request({ method: 'POST', path: origin.pathname, headers, body })
        .then(async ({ statusCode, body: answer }) => {
          let first;
          let tail = '';
          for await (const part of answer) {
            first ??= process.hrtime.bigint();
            tail = (tail + part.toString('latin1')).slice(-32);
          }
          const end = process.hrtime.bigint();
          if (statusCode !== 200) return fail(`HTTP ${statusCode}`);
          if (stream && !tail.includes('[DONE]')) return fail('stream ended without [DONE]');
          if (index < skip) return undefined;
          state.latencies.push(Number(end - t0) / 1000);
          if (first !== undefined) state.ttfbs.push(Number(first - t0) / 1000);
          return undefined;
        })
        .catch((error) => fail(error.message));
    },
    async finish() {
      await pool.close();
      return {
        failed: state.failed,
        firstFailure: state.firstFailure,
        latencyUs: summary(state.latencies),
        ttfbUs: stream ? summary(state.ttfbs) : undefined,
      };
    },
  };
}

/**
 * Open loop: every target in `job.targets` gets `job.rate` requests per second, their sends
 * interleaved, so a proxy and the direct call it is compared with share the same moment of a
 * noisy machine. Resolves to one result per target, in order.
 */
async function rate(job) {
  const perTarget = Math.max(1, Math.round(job.rate * job.durationSec));
  const lanes = job.targets.map((t) => lane(t, job.stream, Math.floor(perTarget * 0.1)));
  const total = perTarget * lanes.length;
  const intervalNs = BigInt(Math.round(1e9 / (job.rate * lanes.length)));
  const inFlight = [];
  let sent = 0;
  const start = process.hrtime.bigint();
  await new Promise((resolve) => {
    const pump = () => {
      const now = process.hrtime.bigint();
      while (sent < total && start + BigInt(sent) * intervalNs <= now) {
        inFlight.push(lanes[sent % lanes.length].fire(Math.floor(sent / lanes.length), job.body));
        sent++;
      }
      if (sent >= total) return resolve();
      const waitMs = Number(start + BigInt(sent) * intervalNs - process.hrtime.bigint()) / 1e6;
      setTimeout(pump, Math.max(0, Math.floor(waitMs)));
      return undefined;
    };
    pump();
  });
  const elapsedSec = Number(process.hrtime.bigint() - start) / 1e9;
  await Promise.all(inFlight);
  return {
    offeredRps: job.rate,
    achievedSendRps: total / lanes.length / elapsedSec,
    sentPerTarget: perTarget,
    results: await Promise.all(lanes.map((l) => l.finish())),
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

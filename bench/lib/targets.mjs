// What the benchmark points its load at: `passthrough`, the bare node:http + undici proxy;
// `minimal`, the least work a Bifrost-compatible gateway must do (minimal-gateway.mjs); and
// the `gateway*` targets, which run the real `bifrost` command (dist/cli.js) on a config.json
// generated into a fresh temp app dir whose `openai` provider points at the mock. The plain
// gateway runs with telemetry, logging, governance and stores off (the bare request path); each
// other variant turns on exactly its feature. Each gateway variant is probed before it is
// measured: a feature that has not landed (the gateway starts but ignores the block) makes the
// target skip with a printed reason instead of producing a misleading figure.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startNodeServer, waitForHttp } from './processes.mjs';
import { CHAT_PATH, requestBody } from './payloads.mjs';

export const BENCH_VK = 'sk-bf-bench-000000000000000000000001';

/**
 * config.json for one gateway variant: plain (request path only), governance, observability.
 * `options.logsBatchInterval` sets the log writer's `batch_interval` (default 250ms).
 */
export function gatewayConfig(variant, options) {
  const config = {
    client: {
      drop_excess_requests: false,
      enable_logging: false,
      enable_governance: false,
      disable_content_logging: false,
    },
    providers: {
      openai: {
        keys: [{ name: 'bench-key', value: 'sk-bench-upstream-key', models: [], weight: 1 }],
        network_config: { base_url: options.mockUrl, default_request_timeout_in_seconds: 30, max_retries: 0 },
        concurrency_and_buffer_size: { concurrency: 1000, buffer_size: 5000 },
      },
    },
    // Telemetry is on by default in Bifrost; only the observability variant keeps it.
    plugins: [{ name: 'telemetry', enabled: false }],
    config_store: { enabled: false },
    logs_store: { enabled: false },
  };
  if (variant === 'governance') {
    config.client.enable_governance = true;
    // Usage is flushed to the store in the background, as in production; admission stays in memory.
    config.config_store = { enabled: true, type: 'sqlite', config: { path: join(options.appDir, 'config.db') } };
    config.governance = {
      budgets: [{ id: 'bench-budget', max_limit: 1_000_000_000, reset_duration: '1M' }],
      rate_limits: [{
        id: 'bench-rate-limit',
        request_max_limit: 1_000_000_000, request_reset_duration: '1h',
        token_max_limit: 1_000_000_000_000, token_reset_duration: '1h',
      }],
      virtual_keys: [{
        id: 'bench-vk', name: 'bench', value: BENCH_VK, is_active: true,
        provider_configs: [{ provider: 'openai', weight: 1 }],
        budget_id: 'bench-budget', rate_limit_id: 'bench-rate-limit',
      }],
    };
  }
  if (variant === 'observability') {
    config.client.enable_logging = true;
    config.plugins = [{ name: 'telemetry', enabled: true, config: {} }, { name: 'logging', enabled: true, config: {} }];
    config.logs_store = { enabled: true, type: 'sqlite', config: { path: join(options.appDir, 'logs.db') } };
    if (options.logsBatchInterval) config.logs_store.writer = { batch_interval: options.logsBatchInterval };
  }
  return config;
}

async function post(url, body, headers = {}) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: res.status, text: await res.text() };
}

/** The gateway answers a plain and a streamed chat through the mock, or throws saying how not. */
async function probeChat(url, headers) {
  const plain = await post(url, requestBody(false), headers);
  if (plain.status !== 200 || !plain.text.includes('"choices"')) throw new Error(`chat answered ${plain.status}: ${plain.text.slice(0, 200)}`);
  const streamed = await post(url, requestBody(true), headers);
  const events = streamed.text.split('\n\n').filter((e) => e.startsWith('data: ')).length;
  if (streamed.status !== 200 || !streamed.text.includes('data: [DONE]')) {
    throw new Error(`stream answered ${streamed.status}: ${streamed.text.slice(0, 200)}`);
  }
  return { streamEvents: events };
}

const PROBES = {
  async plain(base, url) {
    return probeChat(url, {});
  },
  async governance(base, url) {
    const stranger = await post(url, requestBody(false), { 'x-bf-vk': 'sk-bf-not-a-configured-key' });
    if (stranger.status < 400) throw new Error(`governance not active (an unknown virtual key got HTTP ${stranger.status})`);
    return probeChat(url, { 'x-bf-vk': BENCH_VK });
  },
  async observability(base, url, appDir) {
    const chat = await probeChat(url, {});
    const metrics = await fetch(`${base}/metrics`).then(async (r) => ({ status: r.status, text: await r.text() }));
    const telemetry = metrics.status === 200 && metrics.text.includes('bifrost_');
    const logsApi = await fetch(`${base}/api/logs?limit=1`).then((r) => r.text().then(() => r.status), () => 0);
    const logging = logsApi === 200 || existsSync(join(appDir, 'logs.db'));
    if (!telemetry && !logging) throw new Error('neither telemetry (/metrics) nor logging (logs.db, /api/logs) is active');
    const missing = [!telemetry && 'telemetry', !logging && 'logging'].filter(Boolean);
    return { ...chat, note: missing.length > 0 ? `${missing.join(' and ')} not active in this build` : undefined };
  },
};

/**
 * The targets of a run, in measurement order. `start(ctx)` resolves to
 * `{ url, pid, headers, stop(), settle?(), note? }` (settle: resolves once the request-log rows of the
 * requests sent so far are written) or throws `SkipTarget` with the reason.
 */
export function buildTargets(selection) {
  const all = [
    { name: 'passthrough', label: 'pass-through (node:http+undici)', start: (ctx) => startReferenceTarget('passthrough', ctx) },
    { name: 'minimal', label: 'minimal gateway (reference)', start: (ctx) => startReferenceTarget('minimal-gateway', ctx) },
    { name: 'gateway', label: 'gateway', start: (ctx) => startGatewayTarget('plain', ctx) },
    { name: 'governance', label: 'gateway + governance', start: (ctx) => startGatewayTarget('governance', ctx) },
    { name: 'observability', label: 'gateway + telemetry + logging', start: (ctx) => startGatewayTarget('observability', ctx) },
  ];
  return all.filter((t) => selection.includes(t.name));
}

export class SkipTarget extends Error {}

/** passthrough.mjs or minimal-gateway.mjs, the two reference proxies. */
async function startReferenceTarget(script, ctx) {
  const server = await startNodeServer([join(ctx.benchDir, `${script}.mjs`), '--upstream', ctx.mockUrl], {
    name: script, portFromStdout: true, logFile: join(ctx.workDir, `${script}.log`),
    launcher: ctx.launcher, timeoutMs: ctx.startTimeoutMs,
  });
  return { url: `http://127.0.0.1:${server.port}${CHAT_PATH}`, pid: server.pid, headers: {}, stop: server.stop };
}

async function startGatewayTarget(variant, ctx) {
  const cli = join(ctx.repoDir, 'dist', 'cli.js');
  if (!existsSync(cli)) throw new SkipTarget(`${cli} not built (run \`npm run build\`)`);
  const appDir = join(ctx.workDir, `app-${variant}`);
  mkdirSync(appDir, { recursive: true });
  writeFileSync(join(appDir, 'config.json'), JSON.stringify(gatewayConfig(variant, { mockUrl: ctx.mockUrl, appDir, logsBatchInterval: ctx.logsBatchInterval }), null, 2));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const logFile = join(appDir, 'gateway.log');
  let server;
  try {
    // --cpu-prof writes a V8 profile per gateway on exit, for finding where request time goes.
    const profile = ctx.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${ctx.cpuProfDir}`, `--cpu-prof-name=gateway-${variant}.cpuprofile`] : [];
    // -drain-delay 0: a benchmark's stop has no load balancer to wait for.
    server = await startNodeServer([...profile, cli, '-app-dir', appDir, '-port', String(port), '-host', '127.0.0.1', '-log-level', ctx.logLevel, '-drain-delay', '0'], {
      name: `gateway (${variant})`, port, logFile, cwd: ctx.repoDir, launcher: ctx.launcher,
      ready: () => waitForHttp(`${base}/health`, ctx.startTimeoutMs),
    });
  } catch (error) {
    throw new SkipTarget(`gateway did not start: ${error.message}`);
  }
  const url = `${base}${CHAT_PATH}`;
  const headers = variant === 'governance' ? { 'x-bf-vk': BENCH_VK } : {};
  try {
    const probed = await PROBES[variant](base, url, appDir);
    if (probed.streamEvents < 20) throw new Error(`stream carried ${probed.streamEvents} data events, expected ≥ 20`);
    const settle = variant === 'observability' ? () => logRowsWritten(base) : undefined;
    return { url, pid: server.pid, headers, stop: server.stop, settle, note: probed.note };
  } catch (error) {
    await server.stop();
    throw new SkipTarget(`${error.message} (log: ${logFile})`);
  }
}

/**
 * Resolves once the gateway's request-log writer holds no uncommitted rows (`GET /api/logs/dropped`);
 * the bound allows for a commit interval of seconds under callgrind.
 */
async function logRowsWritten(base, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  let pending;
  while (Date.now() < deadline) {
    ({ pending } = await fetch(`${base}/api/logs/dropped`).then((r) => r.json()));
    if (pending === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`request-log rows still pending after ${timeoutMs} ms (${pending} left)`);
}

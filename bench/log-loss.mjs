// `node bench/log-loss.mjs`: how many answered requests' log rows a replica loses when it is
// killed. Starts the built gateway (dist/cli.js) on a SQLite logs store with the mocker plugin
// (no upstream, no network), drives it at full speed for `--seconds` with 10 connections, then
// stops it the moment the last answer arrives — with SIGKILL (nothing flushed) and with SIGTERM
// (graceful) — and counts the rows logs.db holds against the requests answered. Bounded in time
// and count; only 127.0.0.1. Prints one line per run and the medians.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { freePort, startNodeServer, waitForHttp } from './lib/processes.mjs';

const repoDir = dirname(dirname(fileURLToPath(import.meta.url)));
const { values } = parseArgs({ options: { seconds: { type: 'string', default: '3' }, runs: { type: 'string', default: '3' } } });
const seconds = Number(values.seconds);
const runs = Number(values.runs);
const body = JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }] });

const config = {
  providers: { openai: { keys: [{ name: 'offline', value: 'not-a-real-key', models: ['*'], weight: 1 }] } },
  logs_store: { enabled: true, type: 'sqlite', config: { path: 'logs.db' } },
  plugins: [{ name: 'bifrost-mocker', enabled: true, config: { enabled: true, default_behavior: 'success' } }],
};

async function once(signal) {
  const appDir = mkdtempSync(join(tmpdir(), 'bifrost-log-loss-'));
  writeFileSync(join(appDir, 'config.json'), JSON.stringify({ ...config, logs_store: { ...config.logs_store, config: { path: join(appDir, 'logs.db') } } }));
  const port = await freePort();
  const server = await startNodeServer([join(repoDir, 'dist/cli.js'), '-app-dir', appDir, '-port', String(port), '-host', '127.0.0.1', '-log-level', 'error', '-drain-delay', '0'], {
    name: 'gateway', port, ready: (p) => waitForHttp(`http://127.0.0.1:${p}/health`),
  });
  let answered = 0;
  const deadline = Date.now() + seconds * 1000;
  const worker = async () => {
    while (Date.now() < deadline) {
      const res = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      await res.arrayBuffer();
      if (res.status === 200) answered += 1;
    }
  };
  await Promise.all(Array.from({ length: 10 }, worker));
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill(signal);
  await exited;
  const db = new Database(join(appDir, 'logs.db'), { readonly: true });
  const rows = db.prepare("select count(*) as n from logs where status = 'success'").get().n;
  db.close();
  rmSync(appDir, { recursive: true, force: true });
  return { signal, answered, rows, lost: answered - rows, rate: Math.round(answered / seconds) };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const signal of ['SIGKILL', 'SIGTERM']) {
  const results = [];
  for (let i = 0; i < runs; i++) {
    const r = await once(signal);
    results.push(r);
    console.log(`${signal}: ${r.answered} answered (${r.rate} req/s), ${r.rows} rows, ${r.lost} lost`);
  }
  console.log(`${signal}: median ${median(results.map((r) => r.lost))} rows lost of ${median(results.map((r) => r.answered))} answered`);
}

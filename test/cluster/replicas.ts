// Gateway replicas as real `bifrost` processes (dist/cli.js) for the cluster tests: each with its own
// app dir and config.json, one PostgreSQL config store, a gossip port of its own and the others as
// static peers. `kill()` is kill -9; `start()` brings the same replica back (same node_id, ports).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../support/wait.js';
import { freePort } from '../support/ports.js';
export { freePort };

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));


export interface Replica {
  name: string;
  url: string;
  httpPort: number;
  gossipPort: number;
  output(): string;
  start(): Promise<void>;
  /** kill -9: nothing flushed, no leave. */
  kill(): Promise<void>;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | null>;
}

export interface ReplicaOptions {
  dir: string;
  config: (peers: string[]) => Record<string, unknown>;
  env?: Record<string, string>;
  /** More `bifrost` flags (later ones win: `-drain-delay 2` replaces the default 0). */
  args?: string[];
  /** Each replica in a network namespace of its own: its address there and the command prefix. */
  netns?: (index: number) => { host: string; prefix: string[]; httpPort: number; gossipPort: number };
}

export async function startReplicas(count: number, options: ReplicaOptions): Promise<Replica[]> {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first (CI builds before the tests)`);
  const ports = options.netns
    ? Array.from({ length: count }, (_, i) => { const n = options.netns!(i); return { http: n.httpPort, gossip: n.gossipPort, host: n.host }; })
    : await Promise.all(Array.from({ length: count }, async () => ({ http: await freePort(), gossip: await freePort({ udp: true }), host: '127.0.0.1' })));
  const replicas = ports.map(({ http, gossip, host }, i) => {
    const name = `replica-${i + 1}`;
    const appDir = join(options.dir, name);
    mkdirSync(appDir, { recursive: true });
    const peers = ports.filter((_, j) => j !== i).map((p) => `${p.host}:${p.gossip}`);
    const prefix = options.netns?.(i).prefix ?? [];
    const config = options.config(peers) as { cluster_config?: Record<string, unknown> };
    config.cluster_config = { ...config.cluster_config, node_id: name, gossip: { ...(config.cluster_config?.gossip as object), port: gossip } };
    writeFileSync(join(appDir, 'config.json'), JSON.stringify(config));
    let child: ChildProcess | undefined;
    let out = '';
    let exited: Promise<number | null> = Promise.resolve(null);
    const replica: Replica = {
      name, url: `http://${host}:${http}`, httpPort: http, gossipPort: gossip, output: () => out,
      async start() {
        const argv = [cli, '-app-dir', appDir, '-port', String(http), '-host', host, '-drain-delay', '0', '-log-level', 'info', ...(options.args ?? [])];
        child = spawn(prefix[0] ?? process.execPath, prefix.length > 0 ? [...prefix.slice(1), process.execPath, ...argv] : argv, {
          env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'],
        });
        const mine = child;
        exited = new Promise((resolve) => mine.once('exit', (code) => resolve(code)));
        mine.stdout!.on('data', (c: Buffer) => { out = (out + c.toString()).slice(-200_000); });
        mine.stderr!.on('data', (c: Buffer) => { out = (out + c.toString()).slice(-200_000); });
        await waitFor(async () => {
          if (mine.exitCode !== null) throw new Error(`${name} exited (${mine.exitCode}): ${out.slice(-3000)}`);
          const res = await fetch(`${replica.url}/health`).catch(() => undefined);
          return res?.status === 200 || undefined;
        }, { timeoutMs: 30_000, intervalMs: 100, message: `${name} answering /health` });
      },
      async kill() {
        child?.kill('SIGKILL');
        await exited;
      },
      async stop() {
        child?.kill('SIGTERM');
        return exited;
      },
    };
    return replica;
  });
  await Promise.all(replicas.map((r) => r.start()));
  return replicas;
}

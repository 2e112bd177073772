// Measurements for the cluster report (not part of the test suite; run by hand):
//   node --import tsx test/cluster/measure-gossip.ts detect 3     time to detect a killed node (LAN defaults)
//   node --import tsx test/cluster/measure-gossip.ts bytes 10     gossip bytes/s per node, idle cluster
//   node --import tsx test/cluster/measure-gossip.ts cpu 10       idle CPU per node (separate processes)
// Nodes run on real loopback sockets (NetTransport) with Go's DefaultLANConfig timings.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import { createMemberlist, defaultLanConfig, type Memberlist, type Transport } from '../../src/cluster/memberlist/index.js';
import { createNetTransport } from '../../src/cluster/memberlist/transport/net-transport.js';

interface Counted { t: Transport; bytes: () => number }

async function countingTransport(): Promise<Counted> {
  const inner = await createNetTransport({ bindAddr: '127.0.0.1', bindPort: 0 });
  let bytes = 0;
  const wrap = (c: Duplex): Duplex => {
    const write = c.write.bind(c) as (chunk: Uint8Array, cb?: (e?: Error | null) => void) => boolean;
    c.write = ((chunk: Uint8Array, cb?: (e?: Error | null) => void) => { bytes += chunk.length; return write(chunk, cb); }) as Duplex['write'];
    return c;
  };
  const t: Transport = {
    advertise: inner.advertise,
    sendPacket: (to, d) => { bytes += d.length; inner.sendPacket(to, d); },
    dialStream: async (to, ms) => wrap(await inner.dialStream(to, ms)),
    onPacket: (h) => inner.onPacket(h),
    onStream: (h) => inner.onStream((c, from) => h(wrap(c), from)),
    shutdown: () => inner.shutdown(),
  };
  return { t, bytes: () => bytes };
}

const until = async (check: () => boolean, ms: number, what: string): Promise<void> => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timeout: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

async function cluster(n: number, onLeave?: (viewer: number, name: string, state: number) => void) {
  const nodes: { ml: Memberlist; c: Counted }[] = [];
  for (let i = 0; i < n; i++) {
    const c = await countingTransport();
    const ml = await createMemberlist(defaultLanConfig({ name: `m${i}`, bindAddr: '127.0.0.1', bindPort: 0 }), {
      transport: c.t, events: { notifyLeave: (x) => onLeave?.(i, x.name, x.state) },
    });
    nodes.push({ ml, c });
  }
  const seed = nodes[0]!.ml.localNode;
  for (const x of nodes.slice(1)) await x.ml.join([`${seed.addr}:${seed.port}`]);
  await until(() => nodes.every((x) => x.ml.numMembers() === n), 60_000, 'convergence');
  return nodes;
}

async function detect(n: number): Promise<void> {
  const seen = new Set<number>();
  const nodes = await cluster(n, (viewer, name, state) => { if (name === `m${n - 1}` && state === 2) seen.add(viewer); });
  await new Promise((r) => setTimeout(r, 2_000));
  const start = Date.now();
  await nodes[n - 1]!.ml.shutdown();
  await until(() => seen.size === n - 1, 120_000, 'detection');
  const firstAll = Date.now() - start;
  console.log(JSON.stringify({ measure: 'detect', nodes: n, ms_until_all_mark_dead: firstAll }));
  for (const x of nodes.slice(0, -1)) await x.ml.shutdown();
}

async function bytes(n: number): Promise<void> {
  const nodes = await cluster(n);
  await new Promise((r) => setTimeout(r, 5_000));
  const before = nodes.map((x) => x.c.bytes());
  const secs = 60;
  await new Promise((r) => setTimeout(r, secs * 1000));
  const per = nodes.map((x, i) => (x.c.bytes() - before[i]!) / secs);
  const avg = per.reduce((a, b) => a + b, 0) / n;
  console.log(JSON.stringify({ measure: 'bytes', nodes: n, window_s: secs, avg_bytes_per_s_per_node: Math.round(avg), min: Math.round(Math.min(...per)), max: Math.round(Math.max(...per)) }));
  for (const x of nodes) await x.ml.shutdown();
}

function cpuTicks(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(f[11]) + Number(f[12]);
}

async function cpu(n: number): Promise<void> {
  const procs = [];
  let seed = '';
  for (let i = 0; i < n; i++) {
    const args = ['--import', 'tsx', 'src/cli-gossip-agent.ts', '-name', `c${i}`, '-port', '0', '-run-for', '150s', ...(seed ? ['-join', seed] : [])];
    const p = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'ignore'] });
    procs.push(p);
    if (!seed) {
      seed = await new Promise<string>((resolve) => p.stdout.on('data', (d: Buffer) => {
        const m = /"event":"started"[^}]*"addr":"([^"]+)"/.exec(d.toString());
        if (m) resolve(m[1]!);
      }));
    }
  }
  await new Promise((r) => setTimeout(r, 15_000));
  const t0 = procs.map((p) => cpuTicks(p.pid!));
  const secs = 60;
  await new Promise((r) => setTimeout(r, secs * 1000));
  const pct = procs.map((p, i) => ((cpuTicks(p.pid!) - t0[i]!) / 100 / secs) * 100);
  const rss = procs.map((p) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p.pid}/status`, 'utf8'))![1]) / 1024);
  console.log(JSON.stringify({ measure: 'idle_cpu', nodes: n, window_s: secs, avg_cpu_percent_per_node: +(pct.reduce((a, b) => a + b, 0) / n).toFixed(2), max: +Math.max(...pct).toFixed(2), avg_rss_mb: Math.round(rss.reduce((a, b) => a + b, 0) / n) }));
  for (const p of procs) if (p.pid) process.kill(p.pid, 'SIGKILL');
}

const [mode = 'detect', count = '3'] = process.argv.slice(2);
const n = Number(count);
const run = { detect, bytes, cpu }[mode as 'detect' | 'bytes' | 'cpu'];
if (!run) throw new Error(`unknown mode ${mode}`);
await run(n);
process.exit(0);

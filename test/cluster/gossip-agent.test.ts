// `bifrost gossip-agent` as a process: SIGTERM makes it leave gracefully (its peer records `left`,
// not `dead`), and neither its entry point nor the `bifrost` CLI's path to it loads gateway code
// (checked on the static import graph: only the memberlist module and core ports are reachable).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { GossipProcess, repoRoot } from '../interop/gossip-process.js';

const procs: GossipProcess[] = [];
after(async () => { await Promise.all(procs.map((p) => p.stop())); });

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`${signal}: the agent leaves gracefully and its peer sees it as left`, { timeout: 60_000 }, async () => {
    const a = GossipProcess.ts(['-name', `sig-a-${signal}`, '-bind', '127.0.0.1', '-port', '0', '-fast', '-run-for', '40s']);
    procs.push(a);
    const addr = await a.started();
    const b = GossipProcess.ts(['-name', `sig-b-${signal}`, '-bind', '127.0.0.1', '-port', '0', '-fast', '-run-for', '40s', '-join', addr]);
    procs.push(b);
    await a.waitFor((e) => e.event === 'join' && e.name === `sig-b-${signal}`, { message: 'b joined' });
    b.kill(signal);
    await b.waitFor((e) => e.event === 'left', { message: 'b left' });
    await a.waitFor((e) => e.event === 'leave' && e.name === `sig-b-${signal}`, { message: 'a sees b leave' });
    const leave = a.events.find((e) => e.event === 'leave' && e.name === `sig-b-${signal}`)!;
    assert.equal(leave.state, 'left');
  });
}

/** Files reachable from `entry` through static imports (dynamic import() is not followed). */
function staticGraph(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gm)) {
      if (/^\s*import\s+type\s/.test(m[0]) || /^\s*export\s+type\s/.test(m[0])) continue;
      visit(resolve(dirname(file), m[1]!.replace(/\.js$/, '.ts')));
    }
  };
  visit(entry);
  return seen;
}

test('gossip-agent loads no gateway code: only cluster/memberlist and core are statically reachable', () => {
  const src = join(repoRoot, 'src');
  const allowed = (f: string): boolean => /^(cluster\/memberlist\/|core\/|cli(-gossip-agent)?\.ts$)/.test(relative(src, f));
  for (const entry of ['cli-gossip-agent.ts', 'cli.ts']) {
    const outside = [...staticGraph(join(src, entry))].filter((f) => !allowed(f)).map((f) => relative(src, f));
    assert.deepEqual(outside, [], `${entry} statically imports gateway code`);
  }
});

// Interop with Debian's `serf` agent (memberlist 0.2.2 underneath): our agent in Serf mode (tag
// meta, delegate versions 2..5, leave intent) joins a Serf cluster, shows as alive with its tags in
// `serf members`, accepts a Serf node joining it, and a graceful leave shows as "left".
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { requireBinary } from '../support/components.js';
import { waitFor } from '../support/wait.js';
import { GossipProcess } from './gossip-process.js';
import { freePort } from '../support/ports.js';

/** A port free for both TCP and UDP on 127.0.0.1 (Serf needs a concrete gossip port). */

describe('serf interop: TS agent in a Serf cluster', { timeout: 120_000 }, () => {
  let serf = '';
  const children: ChildProcess[] = [];
  const agents: GossipProcess[] = [];

  const startSerf = async (node: string, extra: string[] = []): Promise<{ bind: string; rpc: string }> => {
    const bind = `127.0.0.1:${await freePort()}`;
    const rpc = `127.0.0.1:${await freePort()}`;
    const child = spawn(serf, ['agent', '-node', node, '-bind', bind, '-rpc-addr', rpc, ...extra], { stdio: 'ignore' });
    children.push(child);
    await waitFor(() => members(rpc).includes(node), { timeoutMs: 15_000, message: `serf agent ${node} answering on ${rpc}` });
    return { bind, rpc };
  };
  const members = (rpc: string): string => {
    const r = spawnSync(serf, ['members', '-rpc-addr', rpc], { encoding: 'utf8', timeout: 5_000 });
    return r.status === 0 ? r.stdout : '';
  };
  const memberLine = (rpc: string, node: string): string | undefined =>
    members(rpc).split('\n').find((l) => l.trim().split(/\s+/)[0] === node);

  before(() => { serf = requireBinary('serf'); });
  after(async () => {
    await Promise.all(agents.map((a) => a.stop()));
    for (const c of children) if (c.exitCode === null && c.pid) process.kill(c.pid, 'SIGKILL');
  });

  test('the TS node joins Serf, shows as alive with its tags, and leaves as "left"', async () => {
    const s = await startSerf('serf1');
    const t = GossipProcess.ts(['-name', 'ts-serf', '-bind', '127.0.0.1', '-port', '0', '-serf', '-meta', 'role=ts,dc=lab', '-fast', '-join', s.bind, '-run-for', '60s']);
    agents.push(t);
    await t.waitFor((e) => e.event === 'joined', { message: 'joined serf' });
    const line = await waitFor(() => { const l = memberLine(s.rpc, 'ts-serf'); return l && /\balive\b/.test(l) ? l : undefined; },
      { timeoutMs: 15_000, message: 'ts-serf alive in `serf members`' });
    assert.match(line, /role=ts/);
    assert.match(line, /dc=lab/);
    await t.waitFor((e) => e.event === 'join' && e.name === 'serf1', { message: 'serf1 seen by TS' });
    t.command('leave');
    await t.waitFor((e) => e.event === 'left', { message: 'leave done' });
    await waitFor(() => /\bleft\b/.test(memberLine(s.rpc, 'ts-serf') ?? ''), { timeoutMs: 15_000, message: 'ts-serf left in `serf members`' });
  });

  test('a Serf agent joins the TS node and both list each other alive', async () => {
    const t = GossipProcess.ts(['-name', 'ts-seed', '-bind', '127.0.0.1', '-port', '0', '-serf', '-meta', 'role=seed', '-fast', '-run-for', '60s']);
    agents.push(t);
    const addr = await t.started();
    const s = await startSerf('serf2', ['-join', addr]);
    await t.waitFor((e) => e.event === 'join' && e.name === 'serf2', { timeoutMs: 15_000, message: 'serf2 joined the TS node' });
    await waitFor(() => /\balive\b/.test(memberLine(s.rpc, 'ts-seed') ?? ''), { timeoutMs: 15_000, message: 'ts-seed alive in serf2 members' });
  });
});

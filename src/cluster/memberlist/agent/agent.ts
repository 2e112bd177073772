// The gossip agent behind `bifrost gossip-agent`: one memberlist node that prints a JSON line per
// event (started, join, update, leave, user_msg, user_state, members, left, error) and takes
// commands on stdin (broadcast TEXT, send NODE TEXT, send-reliable NODE TEXT, meta TEXT, members,
// leave).
// Streams and the stop signal are injected so tests can drive it in-process.
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Logger } from '../../../core/ports.js';
import { createMemberlist, type Memberlist } from '../memberlist.js';
import { defaultLanConfig, defaultLocalConfig, defaultWanConfig, type MemberlistConfig } from '../config.js';
import { TransmitLimitedQueue } from '../broadcast/transmit-limited-queue.js';
import { NODE_STATE_NAMES, type Node } from '../state/node.js';
import { AGENT_USAGE, AgentUsageError, parseAgentFlags, type AgentFlags } from './flags.js';
import { decodeSerfTags, encodeSerfTags, SERF_DELEGATE_VERSIONS, SerfClock } from './serf.js';

export interface AgentIO {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  /** Aborting leaves the cluster gracefully (peers see `left`) and stops, as SIGINT/SIGTERM do. */
  signal?: AbortSignal;
  logger?: Logger;
}

const utf8 = new TextEncoder();
const strict = new TextDecoder('utf-8', { fatal: true });

/** Printable UTF-8 as text; Serf tags as k=v,…; anything else as base64:…. */
function display(b: Uint8Array): string {
  if (b[0] === 0xff) {
    const tags = decodeSerfTags(b);
    if (tags) return Object.entries(tags).map(([k, v]) => `${k}=${v}`).join(',');
  }
  try {
    const s = strict.decode(b);
    // eslint-disable-next-line no-control-regex
    if (!/[\u0000-\u0008\u000e-\u001f]/.test(s)) return s;
  } catch {
    // not UTF-8
  }
  return `base64:${Buffer.from(b).toString('base64')}`;
}

/** Fast timings for tests on loopback (probe 200 ms), mirrored by the Go interop peer's -fast. */
const FAST: Partial<MemberlistConfig> = {
  probeIntervalMs: 200, probeTimeoutMs: 100, gossipIntervalMs: 50, pushPullIntervalMs: 2_000,
  suspicionMult: 2, tcpTimeoutMs: 2_000, gossipToTheDeadTimeMs: 5_000,
};

export function agentConfig(f: AgentFlags): MemberlistConfig {
  const preset = { lan: defaultLanConfig, wan: defaultWanConfig, local: defaultLocalConfig }[f.profile];
  return preset({
    ...(f.fast ? FAST : {}),
    name: f.name, bindAddr: f.bind, bindPort: f.port, label: f.label,
    keys: f.keys.map((k) => new Uint8Array(Buffer.from(k, 'base64'))),
    ...(f.serf ? {
      delegateProtocolMin: SERF_DELEGATE_VERSIONS.min, delegateProtocolMax: SERF_DELEGATE_VERSIONS.max,
      delegateProtocolVersion: SERF_DELEGATE_VERSIONS.cur,
    } : {}),
  });
}

export async function runAgent(argv: readonly string[], io: AgentIO): Promise<number> {
  let flags: AgentFlags;
  try {
    flags = parseAgentFlags(argv);
    for (const k of flags.keys) if (![16, 24, 32].includes(Buffer.from(k, 'base64').length)) throw new AgentUsageError('-key must be 16, 24 or 32 bytes of base64');
  } catch (e) {
    io.stderr.write(`gossip-agent: ${e instanceof Error ? e.message : String(e)}\n${AGENT_USAGE}\n`);
    return 2;
  }
  const emit = (event: string, fields: Record<string, unknown> = {}): void => {
    io.stdout.write(`${JSON.stringify({ event, ...fields })}\n`);
  };
  const encodeMeta = (t: string): Uint8Array => (flags.serf ? encodeSerfTags(t) : utf8.encode(t));
  let meta = encodeMeta(flags.meta);
  const serfClock = new SerfClock();
  let ml: Memberlist | undefined;
  const queue = new TransmitLimitedQueue({ retransmitMult: 4, numNodes: () => ml?.numMembers() ?? 1 });
  const nodeJson = (n: Node): Record<string, unknown> => ({ name: n.name, addr: `${n.addr}:${n.port}`, meta: display(n.meta), state: NODE_STATE_NAMES[n.state] });
  try {
    ml = await createMemberlist(agentConfig(flags), {
      ...(io.logger ? { logger: io.logger } : {}),
      delegate: {
        nodeMeta: () => meta,
        notifyMsg: (m) => { if (flags.serf) serfClock.observeMessage(m); emit('user_msg', { msg: display(m) }); },
        getBroadcasts: (overhead, limit) => queue.getBroadcasts(overhead, limit),
        localState: () => utf8.encode(flags.state),
        mergeRemoteState: (b, join) => { if (flags.serf) serfClock.observeState(b); emit('user_state', { state: display(b), join }); },
      },
      events: {
        notifyJoin: (n) => emit('join', nodeJson(n)),
        notifyLeave: (n) => emit('leave', nodeJson(n)),
        notifyUpdate: (n) => emit('update', nodeJson(n)),
      },
    });
  } catch (e) {
    io.stderr.write(`gossip-agent: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  const node = ml;
  emit('started', { name: flags.name, addr: `${node.localNode.addr}:${node.localNode.port}` });
  if (flags.join.length > 0) {
    try {
      emit('joined', { count: await node.join(flags.join) });
    } catch (e) {
      emit('error', { error: e instanceof Error ? e.message : String(e) });
    }
  }
  return new Promise<number>((resolve) => {
    let done = false;
    const rl = createInterface({ input: io.stdin, crlfDelay: Infinity });
    const finish = async (code: number): Promise<void> => {
      if (done) return;
      done = true;
      clearTimeout(runFor);
      rl.close();
      await node.shutdown();
      resolve(code);
    };
    const runFor = flags.runForMs > 0 ? setTimeout(() => { void finish(0); }, flags.runForMs) : undefined;
    // A signal is a graceful stop: gossip our leave first, so peers record `left` rather than
    // suspecting us and declaring us dead a few probe rounds later.
    let leaving = false;
    const leave = async (): Promise<void> => {
      if (leaving || done) return;
      leaving = true;
      if (flags.serf) await serfLeaveIntent(queue, serfClock, flags.name);
      await node.leave(5_000).catch((e: unknown) => emit('error', { error: String(e) }));
      emit('left');
      await finish(0);
    };
    if (io.signal?.aborted) void leave();
    io.signal?.addEventListener('abort', () => { void leave(); }, { once: true });
    rl.on('line', (line) => { void command(line.trim()); });
    const command = async (line: string): Promise<void> => {
      const [cmd = '', ...rest] = line.split(' ');
      const arg = rest.join(' ');
      try {
        if (cmd === 'broadcast') queue.queueBroadcast({ message: utf8.encode(arg) });
        else if (cmd === 'send' || cmd === 'send-reliable') {
          const [target = '', ...words] = rest;
          const peer = node.members().find((n) => n.name === target);
          if (!peer) { emit('error', { error: `no member named ${target}` }); return; }
          if (cmd === 'send') node.sendBestEffort(peer, utf8.encode(words.join(' ')));
          else await node.sendReliable(peer, utf8.encode(words.join(' ')));
        } else if (cmd === 'members') emit('members', { members: node.members().map(nodeJson) });
        else if (cmd === 'meta') {
          meta = encodeMeta(arg);
          await node.updateNode(5_000);
        } else if (cmd === 'leave') {
          await leave();
        } else if (cmd !== '') emit('error', { error: `unknown command: ${cmd}` });
      } catch (e) {
        emit('error', { error: e instanceof Error ? e.message : String(e) });
      }
    };
  });
}

/** Gossips Serf's leave intent and waits (bounded) until it has been sent enough times. */
function serfLeaveIntent(queue: TransmitLimitedQueue, clock: SerfClock, name: string): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, 2_000);
    queue.queueBroadcast({ message: clock.leaveIntent(name), finished: () => { clearTimeout(t); resolve(); } });
  });
}

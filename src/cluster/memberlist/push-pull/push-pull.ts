// Push/pull anti-entropy over TCP (Go's sendAndReceiveState / mergeRemoteState): each side sends
// every node it knows (itself, suspects and unreaped dead included) plus the delegate's user state,
// then merges the other's after checking protocol/delegate version compatibility (verifyProtocol).
import type { Duplex } from 'node:stream';
import type { Core } from '../core.js';
import { WireError } from '../wire/errors.js';
import { MessageType, type PushNodeState, type PushPull } from '../wire/messages.js';
import { encodePushPull } from '../wire/stream.js';
import { NodeStateType, type NodeRecord } from '../state/node.js';
import type { Address } from '../transport/transport.js';

export function localState(core: Core, join: boolean): PushPull {
  const userState = core.delegate?.localState?.(join) ?? new Uint8Array(0);
  const nodes = core.table.nodes.map(toPushNode);
  return { header: { Join: join, Nodes: nodes.length, UserStateLen: userState.length }, nodes, userState };
}

export function encodeLocalState(core: Core, join: boolean): Uint8Array {
  return encodePushPull(localState(core, join));
}

function toPushNode(n: NodeRecord): PushNodeState {
  return { Name: n.name, Addr: n.addr, Port: n.port, Meta: n.meta.length > 0 ? n.meta : null,
    Incarnation: n.incarnation, State: n.state, Vsn: n.vsn };
}

/** Throws if the remote nodes' protocol or delegate versions can't coexist with ours. */
export function verifyProtocol(core: Core, remote: PushNodeState[]): void {
  let maxPMin = 0, minPMax = 255, maxDMin = 0, minDMax = 255;
  const widen = (v: Uint8Array): void => {
    maxPMin = Math.max(maxPMin, v[0] ?? 0); minPMax = Math.min(minPMax, v[1] ?? 0);
    maxDMin = Math.max(maxDMin, v[3] ?? 0); minDMax = Math.min(minDMax, v[4] ?? 0);
  };
  for (const rn of remote) if (rn.State === NodeStateType.alive && rn.Vsn.length >= 6) widen(rn.Vsn);
  for (const n of core.table.nodes) if (n.state === NodeStateType.alive) widen(n.vsn);
  const check = (name: string, v: Uint8Array): void => {
    const pCur = v.length >= 6 ? v[2]! : 0;
    const dCur = v.length >= 6 ? v[5]! : 0;
    if (pCur < maxPMin || pCur > minPMax) throw new Error(`node '${name}' protocol version (${pCur}) is incompatible: [${maxPMin}, ${minPMax}]`);
    if (dCur < maxDMin || dCur > minDMax) throw new Error(`node '${name}' delegate protocol version (${dCur}) is incompatible: [${maxDMin}, ${minDMax}]`);
  };
  for (const rn of remote) check(rn.Name, rn.Vsn);
  for (const n of core.table.nodes) check(n.name, n.vsn);
}

export function mergeRemoteState(core: Core, remote: PushPull, join: boolean): void {
  verifyProtocol(core, remote.nodes);
  for (const r of remote.nodes) {
    if (r.Addr.length !== 4 && r.Addr.length !== 16) { core.drops.add('bad_field'); continue; }
    if (r.State === NodeStateType.alive) {
      core.table.aliveNode({ Incarnation: r.Incarnation, Node: r.Name, Addr: r.Addr, Port: r.Port, Meta: r.Meta, Vsn: r.Vsn });
    } else if (r.State === NodeStateType.left) {
      core.table.deadNode({ Incarnation: r.Incarnation, Node: r.Name, From: r.Name });
    } else {
      // A push/pull never declares death directly: dead and suspect both become our suspicion.
      core.table.suspectNode({ Incarnation: r.Incarnation, Node: r.Name, From: core.config.name });
    }
  }
  if (remote.userState.length > 0) core.delegate?.mergeRemoteState?.(remote.userState, join);
}

/** Dials `addr`, exchanges state, merges the reply. Throws on any failure. */
export async function pushPullNode(core: Core, addr: Address, join: boolean): Promise<void> {
  const conn: Duplex = await core.transport.dialStream(addr, core.config.tcpTimeoutMs);
  conn.on('error', () => {});
  const timer = core.clock.setTimer(() => conn.destroy(new Error('push/pull timed out')), core.config.tcpTimeoutMs);
  try {
    core.io.write(conn, encodeLocalState(core, join), { dialer: true });
    const { message } = await core.io.read(conn, { accepting: false });
    if (message.type === MessageType.err) throw new Error(`remote error: ${message.body.Error}`);
    if (message.type !== MessageType.pushPull) throw new WireError('unexpected_message', `expected push/pull reply, got type ${message.type}`);
    mergeRemoteState(core, message.body, join);
  } finally {
    timer.cancel();
    conn.destroy();
  }
}

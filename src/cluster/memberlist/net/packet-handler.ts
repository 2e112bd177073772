// Handles one received datagram (Go's ingestPacket + handleCommand): peel the wire layers, decode
// each leaf, and dispatch — pings answered inline, indirect pings relayed with ack/nack, acks to
// the pending probes, alive/suspect/dead to the state machine, user messages to the delegate.
// Anything refused is counted by reason; nothing here throws.
import type { Core } from '../core.js';
import { encodeMessage } from '../wire/codec.js';
import { isWireError } from '../wire/errors.js';
import { MessageType, type IndirectPingReq, type Message, type Ping } from '../wire/messages.js';
import type { Address } from '../transport/transport.js';
import { bytesToIp } from '../state/node.js';

export function handlePacket(core: Core, data: Uint8Array, from: Address): void {
  if (core.isShutdown()) return;
  let messages: Message[];
  try {
    const opened = core.io.open(data);
    for (const e of opened.errors) core.drops.add(e.reason);
    messages = opened.messages;
  } catch (e) {
    core.drops.add(dropReason(e));
    core.logger.debug({ from, err: String(e) }, 'memberlist: dropped packet');
    return;
  }
  for (const msg of messages) {
    try {
      dispatch(core, msg, from);
    } catch (e) {
      core.drops.add('handler_error');
      core.logger.warn({ from, err: String(e) }, 'memberlist: failed to handle message');
    }
  }
}

export function dropReason(e: unknown): string {
  return isWireError(e) ? e.reason : 'malformed';
}

function validAddr(a: Uint8Array): boolean {
  return a.length === 4 || a.length === 16;
}

function dispatch(core: Core, msg: Message, from: Address): void {
  switch (msg.type) {
    case MessageType.ping: return handlePing(core, msg.body, from);
    case MessageType.indirectPing: return handleIndirectPing(core, msg.body, from);
    case MessageType.ackResp:
      if (!core.acks.ack(msg.body.SeqNo, msg.body.Payload)) core.drops.add('unknown_ack');
      return;
    case MessageType.nackResp:
      core.acks.nack(msg.body.SeqNo);
      return;
    case MessageType.suspect: return core.table.suspectNode(msg.body);
    case MessageType.dead: return core.table.deadNode(msg.body);
    case MessageType.alive:
      if (!validAddr(msg.body.Addr)) { core.drops.add('bad_field'); return; }
      return core.table.aliveNode(msg.body);
    case MessageType.user:
      core.delegate?.notifyMsg?.(msg.body);
      return;
    default:
      core.drops.add('unexpected_message');
  }
}

/** Replies go to SourceAddr:SourcePort when the ping carries them, else to the datagram source. */
function replyAddress(p: { SourceAddr?: Uint8Array | undefined; SourcePort?: number | undefined }, from: Address): Address {
  if (p.SourceAddr && validAddr(p.SourceAddr) && p.SourcePort) return { host: bytesToIp(p.SourceAddr), port: p.SourcePort };
  return from;
}

function handlePing(core: Core, p: Ping, from: Address): void {
  if (p.Node !== '' && p.Node !== core.config.name) {
    core.drops.add('ping_wrong_node');
    return;
  }
  core.sendMsg(replyAddress(p, from), encodeMessage({ type: MessageType.ackResp, body: { SeqNo: p.SeqNo, Payload: null } }));
}

function handleIndirectPing(core: Core, ind: IndirectPingReq, from: Address): void {
  if (!validAddr(ind.Target)) { core.drops.add('bad_field'); return; }
  const requester = replyAddress(ind, from);
  const target: Address = { host: bytesToIp(ind.Target), port: ind.Port || core.advertise.port };
  const seq = core.nextSeqNo();
  let nackTimer: { cancel(): void } | undefined;
  core.acks.set(seq, {
    ack: () => {
      nackTimer?.cancel();
      core.sendMsg(requester, encodeMessage({ type: MessageType.ackResp, body: { SeqNo: ind.SeqNo, Payload: null } }));
    },
  }, core.config.probeTimeoutMs);
  core.sendMsg(target, encodeMessage({ type: MessageType.ping, body: {
    SeqNo: seq, Node: ind.Node, SourceAddr: core.advertise.addr, SourcePort: core.advertise.port, SourceNode: core.config.name,
  } }));
  if (ind.Nack) {
    nackTimer = core.clock.setTimer(() => {
      core.sendMsg(requester, encodeMessage({ type: MessageType.nackResp, body: { SeqNo: ind.SeqNo } }));
    }, core.config.probeTimeoutMs);
  }
}

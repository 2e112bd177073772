// The internal context shared by memberlist's protocol parts (probe, gossip, push/pull, packet and
// stream handlers): configuration, injected ports, the node table and queues, and the send path.
// Only memberlist.ts builds it; nothing outside the module sees it.
import type { Logger, Random } from '../../core/ports.js';
import type { TimerClock } from './clock.js';
import type { MemberlistConfig } from './config.js';
import type { Awareness } from './awareness/awareness.js';
import type { TransmitLimitedQueue } from './broadcast/transmit-limited-queue.js';
import type { Delegate, EventDelegate } from './delegate.js';
import type { NodeTable } from './state/node-table.js';
import type { NodeRecord } from './state/node.js';
import type { Address, Transport } from './transport/transport.js';
import type { AckHandlers } from './probe/ack-handlers.js';
import type { DropCounters } from './net/drop-counters.js';
import type { PacketIO } from './net/packet-io.js';

export interface Core {
  config: MemberlistConfig;
  clock: TimerClock;
  random: Random;
  logger: Logger;
  transport: Transport;
  /** Our advertised address as 4/16 raw bytes and port. */
  advertise: { addr: Uint8Array; host: string; port: number };
  table: NodeTable;
  queue: TransmitLimitedQueue;
  awareness: Awareness;
  acks: AckHandlers;
  drops: DropCounters;
  io: PacketIO;
  delegate: Delegate | undefined;
  events: EventDelegate | undefined;
  nextSeqNo(): number;
  isShutdown(): boolean;
  /** Sends a message with piggybacked broadcasts (Go's sendMsg). */
  sendMsg(to: Address, msg: Uint8Array): void;
  /** Sends bytes as one packet (Go's rawSendMsgPacket); `node` enables the CRC for PMax ≥ 5. */
  rawSendPacket(to: Address, msg: Uint8Array, node?: NodeRecord): void;
  /** Memberlist broadcasts then the application's share, each user message prefixed with 08. */
  getBroadcasts(overhead: number, limit: number): Uint8Array[];
}

export function nodeAddress(n: NodeRecord): Address {
  return { host: bytesToHost(n.addr), port: n.port };
}

function bytesToHost(b: Uint8Array): string {
  if (b.length === 4) return Array.from(b).join('.');
  const groups: string[] = [];
  for (let i = 0; i + 1 < b.length; i += 2) groups.push(((b[i]! << 8) | b[i + 1]!).toString(16));
  return groups.join(':');
}

/** Picks up to k random nodes that `exclude` does not reject (Go's kRandomNodes). */
export function kRandomNodes(k: number, nodes: readonly NodeRecord[],
  options: { random: Random; exclude: (n: NodeRecord) => boolean }): NodeRecord[] {
  const out: NodeRecord[] = [];
  const n = nodes.length;
  for (let i = 0; i < 3 * n && out.length < k; i++) {
    const node = nodes[Math.floor(options.random.next() * n)]!;
    if (options.exclude(node) || out.includes(node)) continue;
    out.push(node);
  }
  return out;
}

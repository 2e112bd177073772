// The public Memberlist: builds the node from a config and injected ports, runs the probe, gossip
// and push/pull loops, and exposes memberlist's operations (join, leave, updateNode, members,
// best-effort and reliable user messages, shutdown). Protocol logic lives in the parts it wires.
import { isIP } from 'node:net';
import { lookup } from 'node:dns/promises';
import { silentLogger, systemRandom, type Logger, type Random } from '../../core/ports.js';
import { sleep, systemTimerClock, type TimerClock, type TimerHandle } from './clock.js';
import type { MemberlistConfig } from './config.js';
import { Awareness } from './awareness/awareness.js';
import { TransmitLimitedQueue } from './broadcast/transmit-limited-queue.js';
import type { AliveDelegate, ConflictDelegate, Delegate, EventDelegate } from './delegate.js';
import { NodeTable } from './state/node-table.js';
import { ipToBytes, isDeadOrLeft, toNode, type Node, type NodeRecord } from './state/node.js';
import { nodeAddress, type Core } from './core.js';
import { AckHandlers } from './probe/ack-handlers.js';
import { Prober } from './probe/probe.js';
import { DropCounters } from './net/drop-counters.js';
import { PacketIO } from './net/packet-io.js';
import { handlePacket } from './net/packet-handler.js';
import { handleStream } from './net/stream-handler.js';
import { gossip, COMPOUND_OVERHEAD } from './gossip/gossip.js';
import { pushPullNode } from './push-pull/push-pull.js';
import { encodeMessage } from './wire/codec.js';
import { encodeUserStream } from './wire/stream.js';
import { makeCompounds } from './wire/compound.js';
import { META_MAX_SIZE, MessageType } from './wire/messages.js';
import type { Address, Transport } from './transport/transport.js';
import { createNetTransport } from './transport/net-transport.js';

export interface MemberlistOptions {
  transport?: Transport;
  clock?: TimerClock;
  random?: Random;
  logger?: Logger;
  delegate?: Delegate;
  events?: EventDelegate;
  aliveDelegate?: AliveDelegate;
  conflictDelegate?: ConflictDelegate;
}

export async function createMemberlist(config: MemberlistConfig, options: MemberlistOptions = {}): Promise<Memberlist> {
  const transport = options.transport ?? await createNetTransport({
    bindAddr: config.bindAddr, bindPort: config.bindPort, logger: options.logger,
    ...(config.advertiseAddr ? { advertiseAddr: config.advertiseAddr, advertisePort: config.advertisePort } : {}),
  });
  const ml = new Memberlist(config, transport, options);
  ml.start();
  return ml;
}

export class Memberlist {
  private readonly core: Core;
  private readonly prober: Prober;
  private readonly timers: TimerHandle[] = [];
  private seq = 0;
  private leaving = false;
  private shut = false;

  constructor(readonly config: MemberlistConfig, transport: Transport, options: MemberlistOptions) {
    const clock = options.clock ?? systemTimerClock();
    const random = options.random ?? systemRandom;
    const logger = options.logger ?? silentLogger;
    const host = config.advertiseAddr || transport.advertise.host;
    const port = config.advertiseAddr ? config.advertisePort : transport.advertise.port;
    const awareness = new Awareness(config.awarenessMaxMultiplier);
    const io = new PacketIO(config);
    // The queue sizes its retransmit limit from the table, built next; the closure runs later.
    const queue: TransmitLimitedQueue = new TransmitLimitedQueue({
      retransmitMult: config.retransmitMult, numNodes: () => table.numNodes(),
    });
    const table: NodeTable = new NodeTable({
      name: config.name, clock, random, logger, awareness,
      suspicionMult: config.suspicionMult, suspicionMaxTimeoutMult: config.suspicionMaxTimeoutMult,
      probeIntervalMs: config.probeIntervalMs, deadNodeReclaimTimeMs: config.deadNodeReclaimTimeMs,
      broadcast: (msg, finished) => queue.queueBroadcast({
        message: encodeMessage({ type: MessageType[msg.type], body: msg.body } as Parameters<typeof encodeMessage>[0]),
        name: msg.body.Node, finished,
      }),
      events: options.events, aliveDelegate: options.aliveDelegate, conflictDelegate: options.conflictDelegate,
      isLeaving: () => this.leaving,
    });
    const core: Core = {
      config, clock, random, logger, transport, table, queue, awareness, io,
      advertise: { addr: ipToBytes(host), host, port },
      acks: new AckHandlers(clock), drops: new DropCounters(),
      delegate: options.delegate, events: options.events,
      nextSeqNo: () => { this.seq = (this.seq + 1) >>> 0; return this.seq; },
      isShutdown: () => this.shut,
      sendMsg: (to, msg) => this.sendMsg(to, msg),
      rawSendPacket: (to, msg, node) => this.rawSendPacket(to, msg, node),
      getBroadcasts: (overhead, limit) => this.getBroadcasts(overhead, limit),
    };
    this.core = core;
    this.prober = new Prober(core);
  }

  /** @internal Binds handlers, announces ourselves and starts the loops. */
  start(): void {
    const { core, config } = this;
    core.transport.onPacket((data, from) => handlePacket(core, data, from));
    core.transport.onStream((conn, from) => { void handleStream(core, conn, from); });
    core.table.aliveNode({
      Incarnation: core.table.nextIncarnation(), Node: config.name, Addr: core.advertise.addr,
      Port: core.advertise.port, Meta: this.readMeta(), Vsn: this.vsn(),
    }, { bootstrap: true });
    this.every(config.probeIntervalMs, () => { void this.prober.tick(); });
    this.every(config.gossipIntervalMs, () => gossip(core));
    if (config.pushPullIntervalMs > 0) this.every(config.pushPullIntervalMs, () => { void this.periodicPushPull(); }, true);
  }

  get localNode(): Node {
    return toNode(this.core.table.self!);
  }

  /** Live members (alive and suspect), ourselves included. */
  members(): Node[] {
    return this.core.table.nodes.filter((n) => !isDeadOrLeft(n)).map(toNode);
  }

  /** Every known record, dead and left ones included (until reaped). */
  allNodes(): Node[] {
    return this.core.table.nodes.map(toNode);
  }

  numMembers(): number {
    return this.core.table.nodes.filter((n) => !isDeadOrLeft(n)).length;
  }

  getHealthScore(): number {
    return this.core.awareness.getHealthScore();
  }

  /** Counts of refused inputs by reason. */
  dropCounts(): Record<string, number> {
    return this.core.drops.snapshot();
  }

  /** Push/pull with each address ("host:port" or "name/host:port"); returns how many succeeded. */
  async join(addrs: string[]): Promise<number> {
    let ok = 0;
    const errors: string[] = [];
    for (const raw of addrs) {
      try {
        const addr = await this.resolve(raw);
        await pushPullNode(this.core, addr, true);
        ok++;
      } catch (e) {
        errors.push(`${raw}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    if (ok === 0 && addrs.length > 0) throw new Error(`failed to join any node: ${errors.join('; ')}`);
    return ok;
  }

  /** Broadcasts our own leave (a dead message from ourselves) and waits until it has been gossiped. */
  async leave(timeoutMs: number): Promise<void> {
    if (this.leaving || this.shut) return;
    this.leaving = true;
    const self = this.core.table.self!;
    const done = this.waitBroadcast((finished) => this.core.table.deadNode(
      { Incarnation: self.incarnation, Node: self.name, From: self.name }, finished));
    if (this.core.table.anyAlive() && !(await this.within(done, timeoutMs))) {
      throw new Error('timeout waiting for leave broadcast');
    }
  }

  /** Re-reads the delegate's meta and gossips a new alive with a higher incarnation. */
  async updateNode(timeoutMs: number): Promise<void> {
    const self = this.core.table.self!;
    const done = this.waitBroadcast((finished) => this.core.table.aliveNode({
      Incarnation: this.core.table.nextIncarnation(), Node: self.name, Addr: self.addr, Port: self.port,
      Meta: this.readMeta(), Vsn: this.vsn(),
    }, { bootstrap: true, finished }));
    if (this.core.table.anyAlive() && !(await this.within(done, timeoutMs))) {
      throw new Error('timeout waiting for update broadcast');
    }
  }

  sendBestEffort(node: Node, msg: Uint8Array): void {
    const record = this.core.table.nodeMap.get(node.name);
    this.rawSendPacket({ host: node.addr, port: node.port }, prefixUser(msg), record);
  }

  async sendReliable(node: Node, msg: Uint8Array): Promise<void> {
    const conn = await this.core.transport.dialStream({ host: node.addr, port: node.port }, this.config.tcpTimeoutMs);
    try {
      conn.on('error', () => {});
      await new Promise<void>((resolve, reject) => {
        conn.write(this.core.io.frame(encodeUserStream(msg), { dialer: true }), (err) => (err ? reject(err) : resolve()));
      });
    } finally {
      conn.end();
    }
  }

  async shutdown(): Promise<void> {
    if (this.shut) return;
    this.shut = true;
    for (const t of this.timers) t.cancel();
    this.core.acks.clear();
    this.core.table.shutdown();
    this.core.queue.reset();
    await this.core.transport.shutdown();
  }

  private vsn(): Uint8Array {
    const c = this.config;
    return Uint8Array.of(1, 5, c.protocolVersion, c.delegateProtocolMin, c.delegateProtocolMax, c.delegateProtocolVersion);
  }

  private readMeta(): Uint8Array {
    const meta = this.core.delegate?.nodeMeta?.(META_MAX_SIZE) ?? new Uint8Array(0);
    if (meta.length > META_MAX_SIZE) throw new Error(`node meta of ${meta.length} bytes exceeds ${META_MAX_SIZE}`);
    return meta;
  }

  private waitBroadcast(queue: (finished: () => void) => void): Promise<void> {
    return new Promise((resolve) => queue(resolve));
  }

  private async within(p: Promise<void>, ms: number): Promise<boolean> {
    return Promise.race([p.then(() => true), sleep(this.core.clock, ms).then(() => false)]);
  }

  private every(intervalMs: number, fn: () => void, scaled = false): void {
    const slot = this.timers.length;
    const schedule = (delay: number): void => {
      this.timers[slot] = this.core.clock.setTimer(() => {
        if (this.shut) return;
        fn();
        schedule(scaled ? pushPullScale(intervalMs, this.core.table.numNodes()) : intervalMs);
      }, delay);
    };
    schedule(Math.floor(this.core.random.next() * intervalMs));
  }

  /** A full state exchange with every live member now (e.g. once a late delegate state exists). */
  async pushPullAll(): Promise<void> {
    const peers = this.core.table.nodes.filter((n) => n.name !== this.config.name && n.state === 0);
    await Promise.all(peers.map((node) => pushPullNode(this.core, nodeAddress(node), false)
      .catch((e: unknown) => this.core.logger.warn({ node: node.name, err: String(e) }, 'memberlist: push/pull failed'))));
  }

  private async periodicPushPull(): Promise<void> {
    const candidates = this.core.table.nodes.filter((n) => n.name !== this.config.name && n.state === 0);
    const node = candidates[Math.floor(this.core.random.next() * candidates.length)];
    if (!node) return;
    try {
      await pushPullNode(this.core, nodeAddress(node), false);
    } catch (e) {
      this.core.logger.warn({ node: node.name, err: String(e) }, 'memberlist: push/pull failed');
    }
  }

  private async resolve(raw: string): Promise<Address> {
    const hostPort = raw.includes('/') ? raw.slice(raw.indexOf('/') + 1) : raw;
    const m = /^\[?([^\]]*?)\]?(?::(\d+))?$/.exec(hostPort);
    const host = m?.[1] ?? hostPort;
    const port = m?.[2] ? Number(m[2]) : this.config.bindPort;
    return { host: isIP(host) ? host : (await lookup(host, { family: 4 })).address, port };
  }

  private getBroadcasts(overhead: number, limit: number): Uint8Array[] {
    const msgs = this.core.queue.getBroadcasts(overhead, limit);
    const app = this.core.delegate?.getBroadcasts;
    if (!app) return msgs;
    let used = 0;
    for (const m of msgs) used += overhead + m.length;
    const avail = limit - used;
    if (avail > overhead + 1) {
      for (const b of app.call(this.core.delegate, overhead + 1, avail)) msgs.push(prefixUser(b));
    }
    return msgs;
  }

  private sendMsg(to: Address, msg: Uint8Array): void {
    const avail = this.config.udpBufferSize - msg.length - COMPOUND_OVERHEAD - this.core.io.overhead();
    const extra = this.getBroadcasts(COMPOUND_OVERHEAD, avail);
    if (extra.length === 0) { this.rawSendPacket(to, msg); return; }
    for (const c of makeCompounds([msg, ...extra])) this.rawSendPacket(to, c);
  }

  private rawSendPacket(to: Address, msg: Uint8Array, node?: NodeRecord): void {
    if (this.shut) return;
    const crc = node !== undefined && (node.vsn[1] ?? 0) >= 5;
    this.core.transport.sendPacket(to, this.core.io.seal(msg, { crc }));
  }
}

/** Push/pull slows down in big clusters: × (ceil(log2 n − log2 32) + 1) above 32 nodes. */
export function pushPullScale(intervalMs: number, n: number): number {
  if (n <= 32) return intervalMs;
  return (Math.ceil(Math.log2(n) - Math.log2(32)) + 1) * intervalMs;
}

/** A UDP user message: the 08 type byte, then the raw bytes. */
function prefixUser(msg: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + msg.length);
  out[0] = MessageType.user;
  out.set(msg, 1);
  return out;
}

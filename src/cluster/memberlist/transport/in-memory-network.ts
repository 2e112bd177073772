// A deterministic in-memory network implementing the Transport contract, for protocol tests with a
// fake clock: packets are delivered on the microtask queue, streams are in-process duplex pairs,
// and the test can drop packets, cut links (partitions) and heal them. Nothing touches a socket.
import { Duplex } from 'node:stream';
import type { Address, Transport } from './transport.js';

type PacketHandler = (data: Uint8Array, from: Address) => void;
type StreamHandler = (conn: Duplex, from: Address) => void;

const key = (a: Address): string => `${a.host}:${a.port}`;

export class InMemoryNetwork {
  private readonly endpoints = new Map<string, InMemoryTransport>();
  private readonly cut = new Set<string>();
  /** Return true to drop a packet (e.g. random loss). */
  dropPacket: (from: Address, to: Address, data: Uint8Array) => boolean = () => false;
  packetsSent = 0;
  bytesSent = 0;

  /** A transport at host:port (port defaults to 7946). */
  createTransport(host: string, port = 7946): InMemoryTransport {
    const t = new InMemoryTransport(this, { host, port });
    this.endpoints.set(key(t.advertise), t);
    return t;
  }

  /** Cuts every link between the two groups of hosts, both ways. */
  partition(a: string[], b: string[]): void {
    for (const x of a) for (const y of b) { this.cut.add(`${x}|${y}`); this.cut.add(`${y}|${x}`); }
  }

  /** Isolates one host from everyone. */
  isolate(host: string): void {
    const others = [...this.endpoints.values()].map((t) => t.advertise.host).filter((h) => h !== host);
    this.partition([host], others);
  }

  heal(): void {
    this.cut.clear();
  }

  /** @internal */
  linked(from: Address, to: Address): boolean {
    return !this.cut.has(`${from.host}|${to.host}`);
  }

  /** @internal */
  deliverPacket(from: Address, to: Address, data: Uint8Array): void {
    this.packetsSent++;
    this.bytesSent += data.length;
    const dest = this.endpoints.get(key(to));
    if (!dest || dest.closed || !this.linked(from, to) || this.dropPacket(from, to, data)) return;
    const copy = data.slice();
    queueMicrotask(() => dest.receivePacket(copy, from));
  }

  /** @internal */
  connect(from: Address, to: Address): Duplex {
    const dest = this.endpoints.get(key(to));
    if (!dest || dest.closed || !this.linked(from, to) || !this.linked(to, from)) {
      throw new Error(`connect ECONNREFUSED ${key(to)}`);
    }
    const [local, remote] = duplexPair();
    queueMicrotask(() => dest.receiveStream(remote, from));
    return local;
  }

  /** @internal */
  remove(t: InMemoryTransport): void {
    if (this.endpoints.get(key(t.advertise)) === t) this.endpoints.delete(key(t.advertise));
  }
}

export class InMemoryTransport implements Transport {
  closed = false;
  private packetHandler: PacketHandler = () => {};
  private streamHandler: StreamHandler = (conn) => conn.destroy();

  constructor(private readonly net: InMemoryNetwork, readonly advertise: Address) {}

  sendPacket(to: Address, data: Uint8Array): void {
    if (!this.closed) this.net.deliverPacket(this.advertise, to, data);
  }

  async dialStream(to: Address, _timeoutMs: number): Promise<Duplex> {
    if (this.closed) throw new Error('transport is shut down');
    return this.net.connect(this.advertise, to);
  }

  onPacket(handler: PacketHandler): void {
    this.packetHandler = handler;
  }

  onStream(handler: StreamHandler): void {
    this.streamHandler = handler;
  }

  async shutdown(): Promise<void> {
    this.closed = true;
    this.net.remove(this);
  }

  /** @internal */
  receivePacket(data: Uint8Array, from: Address): void {
    if (!this.closed) this.packetHandler(data, from);
  }

  /** @internal */
  receiveStream(conn: Duplex, from: Address): void {
    if (this.closed) conn.destroy();
    else this.streamHandler(conn, from);
  }
}

/** Two connected in-process Duplex ends (node:stream's duplexPair needs Node 22). */
function duplexPair(): [Duplex, Duplex] {
  const ends: Duplex[] = [];
  const make = (peer: () => Duplex): Duplex => new Duplex({
    read() {},
    write(chunk: Buffer, _enc, cb) { peer().push(chunk); cb(); },
    final(cb) { peer().push(null); cb(); },
    destroy(err, cb) { const p = peer(); if (!p.destroyed) p.push(null); cb(err); },
  });
  ends.push(make(() => ends[1]!), make(() => ends[0]!));
  return [ends[0]!, ends[1]!];
}

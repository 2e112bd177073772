// NetTransport: the real network under memberlist — one UDP socket and one TCP listener bound to
// the same address and port (7946 by default), as Go's NetTransport does. Packets are sent from
// the bound UDP socket (peers reply to that port). With port 0 the TCP port is chosen first and
// UDP is bound to the same number, retrying with a fresh port if that UDP port is taken. Send
// errors and unhandled input are counted, never thrown.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, connect, isIP, type Server, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { Duplex } from 'node:stream';
import { silentLogger, type Logger } from '../../../core/ports.js';
import { WireError } from '../wire/errors.js';
import type { Address, Transport } from './transport.js';

export interface NetTransportOptions {
  bindAddr: string;
  bindPort: number;
  /** Defaults to the bind address (or, for a wildcard bind, the first non-internal IPv4). */
  advertiseAddr?: string;
  /** Defaults to the bound port. */
  advertisePort?: number;
  logger?: Logger;
  /** Attempts to find a free TCP+UDP pair when bindPort is 0 (default 10). */
  portRetries?: number;
  /** Socket receive buffer for UDP (default 2 MiB, as memberlist). */
  udpRecvBufferSize?: number;
}

export interface NetTransportStats {
  packetsSent: number;
  packetsReceived: number;
  packetsDropped: number;
  sendErrors: number;
  streamsAccepted: number;
  streamsDialed: number;
}

function errorCode(e: unknown): string {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : String(e);
}

function listenTcp(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error): void => reject(e);
    server.once('error', onError);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', onError);
      const a = server.address();
      resolve(typeof a === 'object' && a ? a.port : port);
    });
  });
}

function bindUdp(sock: UdpSocket, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error): void => reject(e);
    sock.once('error', onError);
    sock.bind({ address: host, port, exclusive: true }, () => {
      sock.off('error', onError);
      resolve();
    });
  });
}

function defaultAdvertiseHost(bindAddr: string): string {
  if (bindAddr !== '0.0.0.0' && bindAddr !== '::' && bindAddr !== '') return bindAddr;
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

export class NetTransport implements Transport {
  readonly advertise: Address;
  private packetHandler: ((data: Uint8Array, from: Address) => void) | null = null;
  private streamHandler: ((conn: Duplex, from: Address) => void) | null = null;
  private readonly accepted = new Set<Socket>();
  private closed = false;
  private readonly port: number;
  private readonly counters: NetTransportStats = {
    packetsSent: 0, packetsReceived: 0, packetsDropped: 0, sendErrors: 0, streamsAccepted: 0, streamsDialed: 0,
  };

  private constructor(
    private readonly udp: UdpSocket,
    private readonly tcp: Server,
    opts: { advertise: Address; logger: Logger; port: number },
  ) {
    this.advertise = opts.advertise;
    this.port = opts.port;
    const logger = opts.logger;
    udp.on('message', (msg, rinfo) => {
      this.counters.packetsReceived++;
      const handler = this.packetHandler;
      if (!handler || this.closed) {
        this.counters.packetsDropped++;
        return;
      }
      handler(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength), { host: rinfo.address, port: rinfo.port });
    });
    udp.on('error', (e) => logger.warn({ err: e.message }, 'memberlist: UDP socket error'));
    tcp.on('connection', (conn) => this.accept(conn));
    tcp.on('error', (e) => logger.warn({ err: e.message }, 'memberlist: TCP listener error'));
  }

  /** Binds UDP and TCP on the same address and port. */
  static async create(opts: NetTransportOptions): Promise<NetTransport> {
    const host = opts.bindAddr === '' ? '0.0.0.0' : opts.bindAddr;
    const type = isIP(host) === 6 ? 'udp6' : 'udp4';
    const attempts = opts.bindPort === 0 ? (opts.portRetries ?? 10) : 1;
    let lastError: unknown = null;
    for (let i = 0; i < attempts; i++) {
      const tcp = createServer();
      let port: number;
      try {
        port = await listenTcp(tcp, host, opts.bindPort);
      } catch (e) {
        tcp.close();
        throw new Error(`memberlist: cannot listen on TCP ${host}:${opts.bindPort}: ${errorCode(e)}`, { cause: e });
      }
      const udp = createSocket({ type, reuseAddr: false });
      try {
        await bindUdp(udp, host, port);
      } catch (e) {
        lastError = e;
        udp.close();
        await new Promise<void>((r) => tcp.close(() => r()));
        continue;
      }
      try {
        udp.setRecvBufferSize(opts.udpRecvBufferSize ?? 2 * 1024 * 1024);
      } catch {
        // The kernel may cap the buffer (net.core.rmem_max); the default still works.
      }
      const advertise = {
        host: opts.advertiseAddr || defaultAdvertiseHost(host),
        port: opts.advertisePort || port,
      };
      return new NetTransport(udp, tcp, { advertise, logger: opts.logger ?? silentLogger, port });
    }
    throw new Error(`memberlist: cannot bind UDP on ${host}:${opts.bindPort} next to TCP: ${errorCode(lastError)}`, { cause: lastError });
  }

  /** The port actually bound (UDP and TCP). */
  get boundPort(): number {
    return this.port;
  }

  stats(): Readonly<NetTransportStats> {
    return { ...this.counters };
  }

  sendPacket(to: Address, data: Uint8Array): void {
    if (this.closed) return;
    this.counters.packetsSent++;
    try {
      this.udp.send(data, to.port, to.host, (err) => {
        if (err) this.counters.sendErrors++;
      });
    } catch {
      this.counters.sendErrors++;
    }
  }

  dialStream(to: Address, timeoutMs: number): Promise<Duplex> {
    if (this.closed) return Promise.reject(new WireError('io', 'transport is shut down'));
    return new Promise((resolve, reject) => {
      const conn = connect({ host: to.host, port: to.port });
      // Errors after the caller owns the socket surface as read/write failures, not a crash.
      conn.on('error', () => {});
      const timer = setTimeout(() => {
        conn.destroy();
        reject(new WireError('timeout', `dial ${to.host}:${to.port} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      conn.once('connect', () => {
        clearTimeout(timer);
        this.counters.streamsDialed++;
        conn.setNoDelay(true);
        resolve(conn);
      });
      conn.once('error', (e) => {
        clearTimeout(timer);
        reject(new WireError('io', `dial ${to.host}:${to.port}: ${errorCode(e)}`));
      });
    });
  }

  onPacket(handler: (data: Uint8Array, from: Address) => void): void {
    this.packetHandler = handler;
  }

  onStream(handler: (conn: Duplex, from: Address) => void): void {
    this.streamHandler = handler;
  }

  private accept(conn: Socket): void {
    conn.on('error', () => {});
    const handler = this.streamHandler;
    if (!handler || this.closed) {
      conn.destroy();
      return;
    }
    this.counters.streamsAccepted++;
    this.accepted.add(conn);
    conn.once('close', () => this.accepted.delete(conn));
    conn.setNoDelay(true);
    handler(conn, { host: conn.remoteAddress ?? '', port: conn.remotePort ?? 0 });
  }

  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.accepted) c.destroy();
    await Promise.all([
      new Promise<void>((r) => this.udp.close(() => r())),
      new Promise<void>((r) => this.tcp.close(() => r())),
    ]);
  }
}

/** Factory used by createMemberlist's default transport. */
export function createNetTransport(opts: NetTransportOptions): Promise<NetTransport> {
  return NetTransport.create(opts);
}

// A Transport wrapper that counts what crosses it and, given an address filter, refuses input from
// outside the allowed address space (Bifrost's `allowed_address_space`): such datagrams are dropped
// and such TCP connections closed before a byte is read, each counted. It wraps the real
// NetTransport and the in-memory test network alike, so the filter is tested deterministically.
import type { Duplex } from 'node:stream';
import type { Address, Transport } from './transport.js';

export interface TransportCounts {
  packetsSent: number;
  packetsReceived: number;
  streamsDialed: number;
  streamsAccepted: number;
  /** Datagrams dropped because their source is outside the allowed address space. */
  packetsRefused: number;
  /** Connections closed because their source is outside the allowed address space. */
  streamsRefused: number;
}

export class FilteredTransport implements Transport {
  private readonly counts: TransportCounts = {
    packetsSent: 0, packetsReceived: 0, streamsDialed: 0, streamsAccepted: 0, packetsRefused: 0, streamsRefused: 0,
  };

  /** `allow(host)` decides per source IP; without it everything passes (counting only). */
  constructor(private readonly inner: Transport, private readonly allow: (host: string) => boolean = () => true) {}

  get advertise(): Address {
    return this.inner.advertise;
  }

  stats(): Readonly<TransportCounts> {
    return { ...this.counts };
  }

  sendPacket(to: Address, data: Uint8Array): void {
    this.counts.packetsSent++;
    this.inner.sendPacket(to, data);
  }

  async dialStream(to: Address, timeoutMs: number): Promise<Duplex> {
    const conn = await this.inner.dialStream(to, timeoutMs);
    this.counts.streamsDialed++;
    return conn;
  }

  onPacket(handler: (data: Uint8Array, from: Address) => void): void {
    this.inner.onPacket((data, from) => {
      if (!this.allow(from.host)) { this.counts.packetsRefused++; return; }
      this.counts.packetsReceived++;
      handler(data, from);
    });
  }

  onStream(handler: (conn: Duplex, from: Address) => void): void {
    this.inner.onStream((conn, from) => {
      if (!this.allow(from.host)) {
        this.counts.streamsRefused++;
        conn.on('error', () => {});
        conn.destroy();
        return;
      }
      this.counts.streamsAccepted++;
      handler(conn, from);
    });
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

// The transport contract between the memberlist state machine and the network: best-effort
// datagrams for gossip and probes, and one-shot streams for push/pull, reliable user messages and
// TCP fallback pings. NetTransport (UDP+TCP) and the in-memory test network both implement it.
import type { Duplex } from 'node:stream';

export interface Address {
  host: string;
  port: number;
}

export interface Transport {
  /** Address/port this node advertises (the real bound port when configured with port 0). */
  readonly advertise: Address;
  /** Best-effort datagram; errors are swallowed (and counted by the implementation). */
  sendPacket(to: Address, data: Uint8Array): void;
  dialStream(to: Address, timeoutMs: number): Promise<Duplex>;
  onPacket(handler: (data: Uint8Array, from: Address) => void): void;
  onStream(handler: (conn: Duplex, from: Address) => void): void;
  shutdown(): Promise<void>;
}

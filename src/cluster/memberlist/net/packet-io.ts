// Binds G1's wire pipelines (wire/packet.ts, wire/stream.ts) to this node's configuration: label,
// keyring, encryption version, compression and the inbound verification policy — so protocol code
// just says "seal this packet", "open that datagram", "frame this stream message".
import type { Duplex } from 'node:stream';
import type { MemberlistConfig } from '../config.js';
import { labelBytes } from '../wire/label.js';
import { decodePacket, encodePacket, type DecodedPacket } from '../wire/packet.js';
import { encodeStream, readStreamMessage, type ReadStreamResult } from '../wire/stream.js';
import { Keyring } from '../security/keyring.js';
import { encryptedLength, encryptionVersionFor, type EncryptionVersion } from '../security/encryption.js';

export class PacketIO {
  readonly keyring: Keyring | null;
  private readonly version: EncryptionVersion;
  private readonly labelLen: number;

  constructor(private readonly config: MemberlistConfig) {
    this.keyring = config.keys.length > 0 ? new Keyring(config.keys) : null;
    this.version = encryptionVersionFor(config.protocolVersion);
    this.labelLen = labelBytes(config.label).length;
  }

  /** Bytes the label header and encryption add to a packet, for the 1400-byte budget. */
  overhead(): number {
    return (this.labelLen > 0 ? 2 + this.labelLen : 0) + (this.keyring ? encryptedLength(this.version, 0) : 0);
  }

  /** Wraps one (possibly compound) message for UDP; `crc` when the peer's PMax ≥ 5. */
  seal(msg: Uint8Array, options: { crc: boolean }): Uint8Array {
    return encodePacket(msg, {
      label: this.config.label, crc: options.crc, compress: this.config.enableCompression,
      keyring: this.config.gossipVerifyOutgoing ? this.keyring : null, encryptionVersion: this.version,
    });
  }

  /** Peels a datagram to its messages. Throws WireError for a packet refused as a whole. */
  open(data: Uint8Array): DecodedPacket {
    return decodePacket(data, {
      label: this.config.label, skipInboundLabelCheck: this.config.skipInboundLabelCheck,
      keyring: this.keyring, verifyIncoming: this.config.gossipVerifyIncoming,
    });
  }

  /** Frames a stream message; only the dialer writes the label header. */
  frame(msg: Uint8Array, options: { dialer: boolean }): Uint8Array {
    return encodeStream(msg, {
      label: this.config.label, writeLabelHeader: options.dialer, compress: this.config.enableCompression,
      keyring: this.config.gossipVerifyOutgoing ? this.keyring : null, encryptionVersion: this.version,
    });
  }

  write(conn: Duplex, msg: Uint8Array, options: { dialer: boolean }): void {
    conn.write(this.frame(msg, options));
  }

  /** Reads one stream message; `accepting` expects the dialer's label header. */
  read(conn: Duplex, options: { accepting: boolean }): Promise<ReadStreamResult> {
    return readStreamMessage(conn, {
      label: this.config.label, skipInboundLabelCheck: this.config.skipInboundLabelCheck,
      readLabelHeader: options.accepting, keyring: this.keyring, verifyIncoming: this.config.gossipVerifyIncoming,
    });
  }
}

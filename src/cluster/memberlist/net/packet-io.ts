// The UDP packet pipeline around G1's wire primitives (Go's rawSendMsgPacket and ingestPacket):
// out — LZW if smaller, CRC when the peer speaks protocol 5, AES-GCM with the label as AAD, label
// header; in — the same layers peeled in reverse, compounds and compress wrappers flattened into
// leaf messages. Every refusal is a WireError with a reason the caller counts.
import type { MemberlistConfig } from '../config.js';
import { WireError } from '../wire/errors.js';
import { MessageType } from '../wire/messages.js';
import { encodeTyped, decodeBody } from '../wire/codec.js';
import { toCompress } from '../wire/structs.js';
import { decodeCompound } from '../wire/compound.js';
import { addCrc, hasCrc, stripCrc } from '../wire/crc.js';
import { addLabel, checkLabel, labelBytes, stripLabel } from '../wire/label.js';
import { lzwCompress, lzwDecompress } from '../wire/lzw.js';
import { Keyring } from '../security/keyring.js';
import { decryptPayload, encryptedLength, encryptPayload, encryptionVersionFor } from '../security/encryption.js';

/** Wire-level nesting allowed inside a packet (compound in compress in compound…). */
const MAX_NESTING = 4;

export interface OpenedPacket {
  leaves: Uint8Array[];
  /** Compound parts declared but missing. */
  truncated: number;
}

export class PacketIO {
  readonly keyring: Keyring | undefined;
  private readonly labelRaw: Uint8Array;

  constructor(private readonly config: MemberlistConfig) {
    this.keyring = config.keys.length > 0 ? new Keyring(config.keys) : undefined;
    this.labelRaw = labelBytes(config.label);
  }

  get encryptionEnabled(): boolean {
    return this.keyring !== undefined;
  }

  /** Bytes the label header and encryption add to a packet, for the 1400-byte budget. */
  overhead(): number {
    const label = this.labelRaw.length > 0 ? 2 + this.labelRaw.length : 0;
    const enc = this.keyring ? encryptedLength(encryptionVersionFor(this.config.protocolVersion), 0) : 0;
    return label + enc;
  }

  compress(msg: Uint8Array): Uint8Array {
    return encodeTyped(MessageType.compress, { Algo: 0, Buf: lzwCompress(msg) });
  }

  /** Wraps one (possibly compound) message for the wire. */
  seal(msg: Uint8Array, options: { crc: boolean }): Uint8Array {
    let out = msg;
    if (this.config.enableCompression) {
      const c = this.compress(out);
      if (c.length < out.length) out = c;
    }
    if (options.crc) out = addCrc(out);
    if (this.keyring && this.config.gossipVerifyOutgoing) {
      out = encryptPayload(this.keyring.getPrimaryKey(), out, {
        version: encryptionVersionFor(this.config.protocolVersion), aad: this.labelRaw,
      });
    }
    return addLabel(out, this.config.label);
  }

  /** Peels a received datagram down to its leaf messages. Throws WireError. */
  open(data: Uint8Array): OpenedPacket {
    const { raw, rest } = stripLabel(data);
    const aad = checkLabel(raw, { label: this.config.label, skipInboundLabelCheck: this.config.skipInboundLabelCheck });
    let buf = rest;
    if (this.keyring) {
      try {
        buf = decryptPayload(this.keyring, buf, aad);
      } catch (e) {
        if (this.config.gossipVerifyIncoming) throw e;
      }
    }
    if (hasCrc(buf)) buf = stripCrc(buf);
    const out: OpenedPacket = { leaves: [], truncated: 0 };
    this.flatten(buf, out, 0);
    return out;
  }

  decompress(buf: Uint8Array): Uint8Array {
    const c = toCompress(decodeBody(buf));
    if (c.Algo !== 0) throw new WireError('bad_algo', `compression algorithm ${c.Algo}`);
    return lzwDecompress(c.Buf);
  }

  private flatten(buf: Uint8Array, out: OpenedPacket, depth: number): void {
    if (buf.length < 1) throw new WireError('truncated', 'empty message');
    if (depth > MAX_NESTING) throw new WireError('bad_compound', 'messages nested too deeply');
    const type = buf[0];
    if (type === MessageType.compound) {
      const c = decodeCompound(buf);
      out.truncated += c.truncated;
      for (const part of c.parts) this.flatten(part, out, depth + 1);
    } else if (type === MessageType.compress) {
      this.flatten(this.decompress(buf), out, depth + 1);
    } else {
      out.leaves.push(buf);
    }
  }
}

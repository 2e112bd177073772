// Stream framing (Go's rawSendMsgStream / readStream): the dialer writes the label once, then the
// message — always LZW-wrapped when compression is on, and sealed in an `0a len` AES-GCM frame when
// a keyring is set (AAD = the 5 header bytes + label). The reader peels the same layers and hands
// back the message type and a byte source positioned on its body.
import type { Duplex } from 'node:stream';
import type { MemberlistConfig } from '../config.js';
import { WireError } from '../wire/errors.js';
import { MessageType } from '../wire/messages.js';
import { toCompress } from '../wire/structs.js';
import { checkLabel, labelBytes, labelHeader } from '../wire/label.js';
import { lzwDecompress } from '../wire/lzw.js';
import { decryptPayload, encryptedLength, encryptPayload, encryptionVersionFor } from '../security/encryption.js';
import type { PacketIO } from './packet-io.js';
import { BufferSource, MAX_STREAM_BYTES, StreamReader, type ByteSource } from './stream-reader.js';

export interface StreamMessage {
  type: number;
  source: ByteSource;
}

export class StreamIO {
  constructor(private readonly config: MemberlistConfig, private readonly io: PacketIO) {}

  /** Frames one message for a stream; `dialer` adds the label header. */
  frame(msg: Uint8Array, options: { dialer: boolean }): Uint8Array {
    let body = this.config.enableCompression ? this.io.compress(msg) : msg;
    const keyring = this.io.keyring;
    if (keyring) {
      const version = encryptionVersionFor(this.config.protocolVersion);
      const header = new Uint8Array(5);
      header[0] = MessageType.encrypt;
      new DataView(header.buffer).setUint32(1, encryptedLength(version, body.length));
      const aad = concat([header, labelBytes(this.config.label)]);
      body = concat([header, encryptPayload(keyring.getPrimaryKey(), body, { version, aad })]);
    }
    return options.dialer ? concat([labelHeader(this.config.label), body]) : body;
  }

  write(conn: Duplex, msg: Uint8Array, options: { dialer: boolean }): void {
    conn.write(this.frame(msg, options));
  }

  /** Reads one message's envelope; `accepting` strips and checks the dialer's label header. */
  async read(conn: Duplex, options: { accepting: boolean }): Promise<StreamMessage> {
    const reader = new StreamReader(conn);
    let got: Uint8Array = new Uint8Array(0);
    if (options.accepting && (await reader.peekByte()) === MessageType.hasLabel) {
      await reader.readByte();
      const len = await reader.readByte();
      if (len === 0) throw new WireError('bad_label', 'label header of length zero');
      got = await reader.readBytes(len);
    }
    const label = options.accepting
      ? checkLabel(got, { label: this.config.label, skipInboundLabelCheck: this.config.skipInboundLabelCheck })
      : labelBytes(this.config.label);
    let source: ByteSource = reader;
    let type = await reader.readByte();
    const keyring = this.io.keyring;
    if (type === MessageType.encrypt) {
      if (!keyring) throw new WireError('not_encrypted', 'remote state is encrypted and encryption is not configured');
      const lenBytes = await reader.readBytes(4);
      const len = new DataView(lenBytes.buffer, lenBytes.byteOffset, 4).getUint32(0);
      if (len > MAX_STREAM_BYTES) throw new WireError('too_large', `encrypted stream of ${len} bytes`);
      const payload = await reader.readBytes(len);
      const aad = concat([Uint8Array.of(MessageType.encrypt), lenBytes, label]);
      const plain = new BufferSource(decryptPayload(keyring, payload, aad));
      source = plain;
      type = await plain.readByte();
    } else if (keyring && this.config.gossipVerifyIncoming) {
      throw new WireError('not_encrypted', 'encryption is configured but remote state is not encrypted');
    }
    if (type === MessageType.compress) {
      const c = toCompress(await source.readMsgpack());
      if (c.Algo !== 0) throw new WireError('bad_algo', `compression algorithm ${c.Algo}`);
      const out = lzwDecompress(c.Buf);
      if (out.length === 0) throw new WireError('decompress_failed', 'empty decompressed stream message');
      const inner = new BufferSource(out);
      source = inner;
      type = await inner.readByte();
    }
    return { type, source };
  }
}

export function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let pos = 0;
  for (const p of parts) { out.set(p, pos); pos += p.length; }
  return out;
}

// The UDP packet pipeline. Send: message → compress (only if smaller) → CRC → encrypt → label.
// Receive: label → decrypt (every key, label as AAD) → CRC (only at the top) → compress / compound
// (recursively, bounded) → leaf messages. Packet-level failures throw a WireError; failures of one
// part inside a compound are collected so the other parts still count, as memberlist does.
import { decodeMessage } from './codec.js';
import { decodeCompound } from './compound.js';
import { compressPayload, decompressPayload } from './compress.js';
import { addCrc, hasCrc, stripCrc } from './crc.js';
import { WireError } from './errors.js';
import { addLabel, checkLabel, labelBytes, stripLabel, type LabelPolicy } from './label.js';
import type { LzwLimits } from './lzw.js';
import { MessageType, type Message } from './messages.js';
import { decryptPayload, encryptPayload, type EncryptionVersion } from '../security/encryption.js';
import type { Keyring } from '../security/keyring.js';

/** memberlist reads UDP into a 65536-byte buffer. */
export const MAX_PACKET_SIZE = 65536;
const MAX_NESTING = 4;
const MAX_MESSAGES = 4096;

export interface PacketEncodeOptions {
  label?: string;
  /** Encrypt with the primary key when set. */
  keyring?: Keyring | null;
  encryptionVersion?: EncryptionVersion;
  /** Add the CRC header (the receiver's PMax ≥ 5). */
  crc?: boolean;
  /** Try LZW and keep it only if strictly smaller. */
  compress?: boolean;
  /** Fixed nonce for reproducible test vectors. */
  nonce?: Uint8Array;
}

/** Wraps one message (or compound) for the wire. */
export function encodePacket(msg: Uint8Array, opts: PacketEncodeOptions = {}): Uint8Array {
  let buf = msg;
  if (opts.compress) {
    const c = compressPayload(buf);
    if (c.length < buf.length) buf = c;
  }
  if (opts.crc) buf = addCrc(buf);
  const label = opts.label ?? '';
  if (opts.keyring) {
    buf = encryptPayload(opts.keyring.getPrimaryKey(), buf, {
      version: opts.encryptionVersion ?? 1,
      aad: labelBytes(label),
      ...(opts.nonce ? { nonce: opts.nonce } : {}),
    });
  }
  return addLabel(buf, label);
}

export interface PacketDecodeOptions extends LabelPolicy {
  keyring?: Keyring | null;
  /** With a keyring, reject plaintext (default true); false accepts it during key rollout. */
  verifyIncoming?: boolean;
  maxPacketSize?: number;
  lzw?: LzwLimits;
}

export interface DecodedPacket {
  messages: Message[];
  /** Parts that failed on their own (bad part, truncated compound); the packet still counts. */
  errors: WireError[];
  encrypted: boolean;
  crc: boolean;
}

export function decodePacket(data: Uint8Array, opts: PacketDecodeOptions): DecodedPacket {
  const max = opts.maxPacketSize ?? MAX_PACKET_SIZE;
  if (data.length > max) throw new WireError('too_large', `packet of ${data.length} bytes exceeds ${max}`);
  const { raw, rest } = stripLabel(data);
  const aad = checkLabel(raw, opts);
  let buf = rest;
  let encrypted = false;
  if (opts.keyring) {
    try {
      buf = decryptPayload(opts.keyring, buf, aad);
      encrypted = true;
    } catch (e) {
      if (opts.verifyIncoming !== false) throw e;
    }
  }
  if (buf.length === 0) throw new WireError('truncated', 'empty packet');
  const crc = hasCrc(buf);
  if (crc) buf = stripCrc(buf);
  const out: DecodedPacket = { messages: [], errors: [], encrypted, crc };
  dispatch(buf, 0, out, opts.lzw);
  return out;
}

function dispatch(buf: Uint8Array, depth: number, out: DecodedPacket, lzw: LzwLimits | undefined): void {
  if (out.messages.length + out.errors.length >= MAX_MESSAGES) {
    throw new WireError('too_large', `more than ${MAX_MESSAGES} messages in one packet`);
  }
  if (buf.length === 0) throw new WireError('truncated', 'empty message');
  const type = buf[0];
  if (type === MessageType.compound || type === MessageType.compress) {
    if (depth >= MAX_NESTING) throw new WireError('bad_compound', `wrappers nested deeper than ${MAX_NESTING}`);
    if (type === MessageType.compress) return dispatch(decompressPayload(buf, lzw), depth + 1, out, lzw);
    const { parts, truncated } = decodeCompound(buf);
    for (const part of parts) {
      try {
        dispatch(part, depth + 1, out, lzw);
      } catch (e) {
        if (!(e instanceof WireError) || e.reason === 'too_large') throw e;
        out.errors.push(e);
      }
    }
    if (truncated > 0) out.errors.push(new WireError('truncated_compound', `${truncated} compound parts missing`));
    return;
  }
  out.messages.push(decodeMessage(buf));
}

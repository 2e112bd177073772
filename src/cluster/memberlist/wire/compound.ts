// Compound messages (type 7): a count byte, that many big-endian u16 lengths, then the parts back
// to back. Encoding splits into several compounds of at most 255 parts (memberlist HEAD does; 0.2.2
// wraps the count, a bug). Decoding returns the complete prefix when the buffer is short, with the
// number of missing parts, as memberlist does.
import { WireError } from './errors.js';
import { COMPOUND_MAX_PARTS, MessageType } from './messages.js';

/** Packs messages into compounds of ≤ 255 parts; a single message is returned unwrapped. */
export function makeCompounds(msgs: readonly Uint8Array[]): Uint8Array[] {
  if (msgs.length === 1) return [msgs[0] as Uint8Array];
  const out: Uint8Array[] = [];
  for (let i = 0; i < msgs.length; i += COMPOUND_MAX_PARTS) out.push(makeCompound(msgs.slice(i, i + COMPOUND_MAX_PARTS)));
  return out;
}

/** One compound of 1..255 parts, each ≤ 65535 bytes. */
export function makeCompound(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length < 1 || parts.length > COMPOUND_MAX_PARTS) {
    throw new WireError('bad_compound', `a compound holds 1..255 parts, not ${parts.length}`);
  }
  let total = 2 + parts.length * 2;
  for (const p of parts) {
    if (p.length > 0xffff) throw new WireError('too_large', `compound part of ${p.length} bytes`);
    total += p.length;
  }
  const out = new Uint8Array(total);
  out[0] = MessageType.compound;
  out[1] = parts.length;
  let pos = 2;
  for (const p of parts) {
    out[pos++] = p.length >> 8;
    out[pos++] = p.length & 0xff;
  }
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

export interface DecodedCompound {
  parts: Uint8Array[];
  /** Parts declared but missing because the buffer ended early. */
  truncated: number;
}

/** Splits a compound (the buffer includes the leading 07 byte). */
export function decodeCompound(buf: Uint8Array): DecodedCompound {
  if (buf.length < 2 || buf[0] !== MessageType.compound) throw new WireError('bad_compound', 'missing compound header');
  const n = buf[1] as number;
  if (n === 0) throw new WireError('bad_compound', 'compound of zero parts');
  if (buf.length < 2 + n * 2) throw new WireError('bad_compound', `compound of ${n} parts is missing its length table`);
  const parts: Uint8Array[] = [];
  let pos = 2 + n * 2;
  for (let i = 0; i < n; i++) {
    const len = ((buf[2 + i * 2] as number) << 8) | (buf[3 + i * 2] as number);
    if (pos + len > buf.length) return { parts, truncated: n - i };
    parts.push(buf.subarray(pos, pos + len));
    pos += len;
  }
  return { parts, truncated: 0 };
}

// The hasCrc wrapper (type 12, protocol 5): 0c, the big-endian CRC-32 (IEEE) of the rest, the rest.
// Only the outermost layer inside the encryption may carry it.
import { crc32 } from 'node:zlib';
import { WireError } from './errors.js';
import { MessageType } from './messages.js';

export function addCrc(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + payload.length);
  out[0] = MessageType.hasCrc;
  new DataView(out.buffer).setUint32(1, crc32(payload));
  out.set(payload, 5);
  return out;
}

/** True when the buffer is a CRC-wrapped payload (memberlist checks only length ≥ 5 and byte 0). */
export function hasCrc(buf: Uint8Array): boolean {
  return buf.length >= 5 && buf[0] === MessageType.hasCrc;
}

/** Verifies and strips the CRC header; throws WireError('bad_crc') on mismatch. */
export function stripCrc(buf: Uint8Array): Uint8Array {
  const payload = buf.subarray(5);
  const want = new DataView(buf.buffer, buf.byteOffset, buf.byteLength).getUint32(1);
  if (crc32(payload) !== want) throw new WireError('bad_crc', 'CRC-32 mismatch');
  return payload;
}

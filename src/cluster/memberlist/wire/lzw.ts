// LZW as Go's compress/lzw writes and reads it with LSB bit order and literal width 8 (the GIF
// flavour memberlist uses): 9-bit codes growing to 12, clear = 256, EOF = 257, first free code
// 258, the width grows when the next free code reaches 2^width (no "early change"). The writer
// starts with a clear code, emits another clear before the table fills, and ends with EOF. The
// reader mirrors Go's: at 12 bits with a full table it stops adding entries; data after EOF is
// ignored; a stream without EOF is an error. Output is bounded by a size cap and a ratio cap.
import { WireError } from './errors.js';

const CLEAR = 256;
const EOF_CODE = 257;
const MAX_WIDTH = 12;
const TABLE_SIZE = 1 << MAX_WIDTH;

class BitWriter {
  private out: number[] = [];
  private acc = 0;
  private bits = 0;

  write(code: number, width: number): void {
    this.acc |= code << this.bits;
    this.bits += width;
    while (this.bits >= 8) {
      this.out.push(this.acc & 0xff);
      this.acc >>>= 8;
      this.bits -= 8;
    }
  }

  finish(): Uint8Array {
    if (this.bits > 0) this.out.push(this.acc & 0xff);
    return Uint8Array.from(this.out);
  }
}

export function lzwCompress(input: Uint8Array): Uint8Array {
  const w = new BitWriter();
  let width = 9;
  let hi = EOF_CODE; // the reader's next free code, kept in lockstep
  let dict = new Map<number, number>();
  w.write(CLEAR, width);
  if (input.length === 0) {
    w.write(EOF_CODE, width);
    return w.finish();
  }
  const emit = (code: number, newKey: number): void => {
    w.write(code, width);
    hi++;
    if (hi >= 1 << width && width < MAX_WIDTH) width++;
    if (newKey >= 0) dict.set(newKey, hi);
    if (hi >= TABLE_SIZE - 1) {
      // Restart the table before the reader would stop adding entries.
      w.write(CLEAR, width);
      width = 9;
      hi = EOF_CODE;
      dict = new Map();
    }
  };
  let cur = input[0] as number;
  for (let i = 1; i < input.length; i++) {
    const c = input[i] as number;
    const key = (cur << 8) | c;
    const found = dict.get(key);
    if (found !== undefined) {
      cur = found;
      continue;
    }
    emit(cur, key);
    cur = c;
  }
  emit(cur, -1);
  w.write(EOF_CODE, width);
  return w.finish();
}

export interface LzwLimits {
  /** Absolute cap on the decompressed size (default 40 MiB, memberlist HEAD's limit). */
  maxOutput?: number;
  /** Cap on decompressed/compressed size (default 1024); inputs under 1 KiB may reach 1 MiB. */
  maxRatio?: number;
}

export const LZW_MAX_OUTPUT = 40 * 1024 * 1024;

export function lzwDecompress(input: Uint8Array, limits: LzwLimits = {}): Uint8Array {
  const ratioCap = Math.max(input.length, 1024) * (limits.maxRatio ?? 1024);
  const cap = Math.min(limits.maxOutput ?? LZW_MAX_OUTPUT, ratioCap);
  const prefix = new Uint16Array(TABLE_SIZE);
  const suffix = new Uint8Array(TABLE_SIZE);
  const first = new Uint8Array(TABLE_SIZE); // first byte of each entry's string
  const lengths = new Uint16Array(TABLE_SIZE);
  for (let i = 0; i < 256; i++) {
    suffix[i] = i;
    first[i] = i;
    lengths[i] = 1;
  }
  let out = new Uint8Array(Math.min(cap, Math.max(256, input.length * 4)));
  let len = 0;
  const grow = (n: number): void => {
    if (len + n > cap) throw new WireError('decompress_ratio', `decompressed size exceeds ${cap} bytes`);
    if (len + n <= out.length) return;
    const next = new Uint8Array(Math.min(cap, Math.max(out.length * 2, len + n)));
    next.set(out.subarray(0, len));
    out = next;
  };

  let width = 9;
  let hi = EOF_CODE;
  let last = -1;
  let acc = 0;
  let bits = 0;
  let pos = 0;
  for (;;) {
    while (bits < width) {
      if (pos >= input.length) throw new WireError('decompress_failed', 'LZW stream ends without an EOF code');
      acc |= (input[pos++] as number) << bits;
      bits += 8;
    }
    const code = acc & ((1 << width) - 1);
    acc >>>= width;
    bits -= width;
    if (code === CLEAR) {
      width = 9;
      hi = EOF_CODE;
      last = -1;
      continue;
    }
    if (code === EOF_CODE) break;
    if (code > hi || (code === hi && last < 0) || (code > EOF_CODE && code < hi && lengths[code] === 0)) {
      throw new WireError('decompress_failed', `invalid LZW code ${code}`);
    }
    // The string for `code`; when code === hi (KwKwK) it is last's string plus last's first byte.
    const entryLen = code === hi ? (lengths[last] as number) + 1 : (lengths[code] as number);
    grow(entryLen);
    let c = code === hi ? last : code;
    let i = len + entryLen - 1;
    if (code === hi) out[i--] = first[last] as number;
    while (c > 255) {
      out[i--] = suffix[c] as number;
      c = prefix[c] as number;
    }
    out[i] = c;
    if (last >= 0 && hi < TABLE_SIZE) {
      prefix[hi] = last;
      suffix[hi] = out[len] as number;
      first[hi] = first[last] as number;
      lengths[hi] = (lengths[last] as number) + 1;
    }
    len += entryLen;
    last = code;
    hi++;
    if (hi >= 1 << width) {
      if (width === MAX_WIDTH) {
        last = -1;
        hi--;
      } else {
        width++;
      }
    }
  }
  return out.slice(0, len);
}

// The msgpack dialect of Go's zero-value codec.MsgpackHandle (go-msgpack 0.5.x and v2): strings and
// byte slices both as old-spec raw (fixstr / str16 / str32, never str8 or bin), struct maps with
// keys sorted, nil for absent byte slices, smallest unsigned encoding for non-negative ints. The
// decoder is lenient like Go's (every int width, str8/bin, arrays of ints for bytes) and bounded:
// it never reads past the buffer, limits nesting depth, and reports an incomplete value distinctly
// so the stream reader can wait for more bytes.
import { WireError } from './errors.js';

export type MsgpackValue = null | boolean | number | Uint8Array | MsgpackValue[] | MsgpackMap;
export type MsgpackMap = Map<string, MsgpackValue>;

/** What the encoder accepts: strings are written as raw UTF-8; undefined map values are omitted. */
export type EncodableValue = null | boolean | number | string | Uint8Array | EncodableValue[] | EncodableStruct;
export interface EncodableStruct {
  readonly [key: string]: EncodableValue | undefined;
}

const utf8 = new TextEncoder();

export class MsgpackWriter {
  private buf = new Uint8Array(256);
  private len = 0;

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  byte(b: number): this {
    this.ensure(1);
    this.buf[this.len++] = b & 0xff;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }

  private be(v: number, n: number): void {
    this.ensure(n);
    for (let i = n - 1; i >= 0; i--) {
      this.buf[this.len + i] = v & 0xff;
      v = Math.floor(v / 256);
    }
    this.len += n;
  }

  value(v: EncodableValue): this {
    if (v === null) return this.byte(0xc0);
    if (typeof v === 'boolean') return this.byte(v ? 0xc3 : 0xc2);
    if (typeof v === 'number') return this.int(v);
    if (typeof v === 'string') return this.raw(utf8.encode(v));
    if (v instanceof Uint8Array) return this.raw(v);
    if (Array.isArray(v)) {
      this.header(v.length, 0x90, 0xdc);
      for (const item of v) this.value(item);
      return this;
    }
    return this.struct(v as EncodableStruct);
  }

  /** A Go struct: keys sorted by byte order, undefined (omitempty) fields left out. */
  struct(s: EncodableStruct): this {
    const keys = Object.keys(s).filter((k) => s[k] !== undefined).sort();
    this.header(keys.length, 0x80, 0xde);
    for (const k of keys) {
      this.raw(utf8.encode(k));
      this.value(s[k] as EncodableValue);
    }
    return this;
  }

  raw(b: Uint8Array): this {
    if (b.length < 32) this.byte(0xa0 | b.length);
    else if (b.length < 0x10000) {
      this.byte(0xda);
      this.be(b.length, 2);
    } else {
      this.byte(0xdb);
      this.be(b.length, 4);
    }
    return this.bytes(b);
  }

  int(v: number): this {
    if (!Number.isSafeInteger(v)) throw new WireError('bad_field', `cannot encode non-integer ${v}`);
    if (v >= 0) {
      if (v < 0x80) return this.byte(v);
      if (v < 0x100) return this.byte(0xcc).byte(v);
      if (v < 0x10000) return this.byte(0xcd), this.be(v, 2), this;
      if (v < 0x100000000) return this.byte(0xce), this.be(v, 4), this;
      return this.byte(0xcf), this.be(v, 8), this;
    }
    if (v >= -32) return this.byte(v & 0xff);
    if (v >= -0x80) return this.byte(0xd0).byte(v & 0xff);
    if (v >= -0x8000) return this.byte(0xd1), this.be(v & 0xffff, 2), this;
    if (v >= -0x80000000) return this.byte(0xd2), this.be(v >>> 0, 4), this;
    this.byte(0xd3);
    this.ensure(8);
    new DataView(this.buf.buffer).setBigInt64(this.len, BigInt(v));
    this.len += 8;
    return this;
  }

  private header(n: number, fix: number, wide: number): void {
    if (n < 16) this.byte(fix | n);
    else if (n < 0x10000) {
      this.byte(wide);
      this.be(n, 2);
    } else {
      this.byte(wide + 1);
      this.be(n, 4);
    }
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

export function encodeMsgpack(v: EncodableValue): Uint8Array {
  return new MsgpackWriter().value(v).finish();
}

/** Thrown (internally) when the buffer ends inside a value; a stream reader then waits for more. */
export class IncompleteMsgpack extends WireError {
  constructor() {
    super('truncated', 'msgpack value is incomplete');
  }
}

export interface DecodeLimits {
  /** Maximum nesting of arrays/maps (default 16; memberlist structs nest 1 deep). */
  maxDepth?: number;
  /** Maximum element count of any one array or map (default 65536). */
  maxItems?: number;
}

export interface Decoded {
  value: MsgpackValue;
  /** Bytes consumed from the start offset. */
  length: number;
}

const latin1 = new TextDecoder('latin1');

/** Decodes one msgpack value at `offset`. Throws IncompleteMsgpack or WireError('malformed_msgpack'). */
export function decodeMsgpack(buf: Uint8Array, offset = 0, limits: DecodeLimits = {}): Decoded {
  const maxDepth = limits.maxDepth ?? 16;
  const maxItems = limits.maxItems ?? 65536;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let pos = offset;

  const need = (n: number): void => {
    if (pos + n > buf.length) throw new IncompleteMsgpack();
  };
  const uint = (n: number): number => {
    need(n);
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + (buf[pos + i] as number);
    pos += n;
    return v;
  };
  const raw = (n: number): Uint8Array => {
    need(n);
    const out = buf.slice(pos, pos + n);
    pos += n;
    return out;
  };
  const count = (n: number): number => {
    if (n > maxItems) throw new WireError('malformed_msgpack', `collection of ${n} items exceeds ${maxItems}`);
    return n;
  };

  const read = (depth: number): MsgpackValue => {
    if (depth > maxDepth) throw new WireError('malformed_msgpack', `nesting deeper than ${maxDepth}`);
    need(1);
    const b = buf[pos++] as number;
    if (b <= 0x7f) return b;
    if (b >= 0xe0) return b - 256;
    if ((b & 0xf0) === 0x80) return readMap(b & 0x0f, depth);
    if ((b & 0xf0) === 0x90) return readArray(b & 0x0f, depth);
    if ((b & 0xe0) === 0xa0) return raw(b & 0x1f);
    switch (b) {
      case 0xc0: return null;
      case 0xc2: return false;
      case 0xc3: return true;
      case 0xc4: case 0xd9: return raw(uint(1));
      case 0xc5: case 0xda: return raw(uint(2));
      case 0xc6: case 0xdb: return raw(uint(4));
      case 0xca: need(4); pos += 4; return view.getFloat32(pos - 4);
      case 0xcb: need(8); pos += 8; return view.getFloat64(pos - 8);
      case 0xcc: return uint(1);
      case 0xcd: return uint(2);
      case 0xce: return uint(4);
      case 0xcf: need(8); pos += 8; return Number(view.getBigUint64(pos - 8));
      case 0xd0: need(1); pos += 1; return view.getInt8(pos - 1);
      case 0xd1: need(2); pos += 2; return view.getInt16(pos - 2);
      case 0xd2: need(4); pos += 4; return view.getInt32(pos - 4);
      case 0xd3: need(8); pos += 8; return Number(view.getBigInt64(pos - 8));
      case 0xdc: return readArray(uint(2), depth);
      case 0xdd: return readArray(uint(4), depth);
      case 0xde: return readMap(uint(2), depth);
      case 0xdf: return readMap(uint(4), depth);
      default: throw new WireError('malformed_msgpack', `unsupported msgpack byte 0x${b.toString(16)}`);
    }
  };
  const readArray = (n: number, depth: number): MsgpackValue[] => {
    const out: MsgpackValue[] = [];
    for (let i = count(n); i > 0; i--) out.push(read(depth + 1));
    return out;
  };
  const readMap = (n: number, depth: number): MsgpackMap => {
    const out: MsgpackMap = new Map();
    for (let i = count(n); i > 0; i--) {
      const k = read(depth + 1);
      const v = read(depth + 1);
      if (k instanceof Uint8Array) out.set(latin1.decode(k), v);
      else if (typeof k === 'number' || typeof k === 'boolean') out.set(String(k), v);
      else throw new WireError('malformed_msgpack', 'map key is not a string');
    }
    return out;
  };

  const value = read(0);
  return { value, length: pos - offset };
}

// Conversion between decoded msgpack maps and the memberlist structs, field by field with Go's
// leniency: any integer width or sign for numbers, raw/str/bin or an array of small ints for byte
// slices, nil for empty, unknown keys ignored, a missing key is the zero value. Types that cannot
// be coerced (a map where a number belongs) are a WireError('bad_field').
import { WireError } from './errors.js';
import type { MsgpackMap, MsgpackValue, EncodableStruct } from './msgpack.js';
import type {
  Alive, AckResp, Compress, Dead, ErrResp, IndirectPingReq, NackResp, Ping, PushNodeState,
  PushPullHeader, Suspect, UserMsgHeader,
} from './messages.js';

const utf8 = new TextDecoder('utf-8');
const EMPTY = new Uint8Array(0);

function asMap(v: MsgpackValue, what: string): MsgpackMap {
  if (v instanceof Map) return v;
  throw new WireError('bad_field', `${what} body is not a map`);
}

function num(m: MsgpackMap, key: string): number {
  const v = m.get(key);
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number' && Number.isFinite(v)) return Math.trunc(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new WireError('bad_field', `${key} is not a number`);
}

/** An unsigned field of `bits` width, wrapped like a Go conversion would on overflow. */
function uint(m: MsgpackMap, key: string, bits: 8 | 16 | 32): number {
  const v = num(m, key);
  const mod = 2 ** bits;
  return ((v % mod) + mod) % mod;
}

function bool(m: MsgpackMap, key: string): boolean {
  const v = m.get(key);
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  throw new WireError('bad_field', `${key} is not a bool`);
}

function bytesOrNull(m: MsgpackMap, key: string): Uint8Array | null {
  const v = m.get(key);
  if (v === undefined || v === null) return null;
  if (v instanceof Uint8Array) return v;
  if (Array.isArray(v)) {
    const out = new Uint8Array(v.length);
    v.forEach((x, i) => {
      if (typeof x !== 'number') throw new WireError('bad_field', `${key} array holds a non-number`);
      out[i] = x & 0xff;
    });
    return out;
  }
  throw new WireError('bad_field', `${key} is not bytes`);
}

function bytes(m: MsgpackMap, key: string): Uint8Array {
  return bytesOrNull(m, key) ?? EMPTY;
}

function str(m: MsgpackMap, key: string): string {
  const b = bytesOrNull(m, key);
  return b === null ? '' : utf8.decode(b);
}

function optional<T>(m: MsgpackMap, key: string, read: (m: MsgpackMap, k: string) => T): T | undefined {
  const v = m.get(key);
  return v === undefined || v === null ? undefined : read(m, key);
}

export function toPing(v: MsgpackValue): Ping {
  const m = asMap(v, 'ping');
  return {
    SeqNo: uint(m, 'SeqNo', 32),
    Node: str(m, 'Node'),
    SourceAddr: optional(m, 'SourceAddr', bytes),
    SourcePort: optional(m, 'SourcePort', (x, k) => uint(x, k, 16)),
    SourceNode: optional(m, 'SourceNode', str),
  };
}

export function toIndirectPingReq(v: MsgpackValue): IndirectPingReq {
  const m = asMap(v, 'indirectPing');
  return {
    SeqNo: uint(m, 'SeqNo', 32),
    Target: bytes(m, 'Target'),
    Port: uint(m, 'Port', 16),
    Node: str(m, 'Node'),
    Nack: bool(m, 'Nack'),
    SourceAddr: optional(m, 'SourceAddr', bytes),
    SourcePort: optional(m, 'SourcePort', (x, k) => uint(x, k, 16)),
    SourceNode: optional(m, 'SourceNode', str),
  };
}

export function toAckResp(v: MsgpackValue): AckResp {
  const m = asMap(v, 'ack');
  return { SeqNo: uint(m, 'SeqNo', 32), Payload: bytesOrNull(m, 'Payload') };
}

export function toNackResp(v: MsgpackValue): NackResp {
  return { SeqNo: uint(asMap(v, 'nack'), 'SeqNo', 32) };
}

export function toErrResp(v: MsgpackValue): ErrResp {
  return { Error: str(asMap(v, 'err'), 'Error') };
}

export function toSuspect(v: MsgpackValue): Suspect {
  const m = asMap(v, 'suspect');
  return { Incarnation: uint(m, 'Incarnation', 32), Node: str(m, 'Node'), From: str(m, 'From') };
}

export function toDead(v: MsgpackValue): Dead {
  const m = asMap(v, 'dead');
  return { Incarnation: uint(m, 'Incarnation', 32), Node: str(m, 'Node'), From: str(m, 'From') };
}

export function toAlive(v: MsgpackValue): Alive {
  const m = asMap(v, 'alive');
  return {
    Incarnation: uint(m, 'Incarnation', 32),
    Node: str(m, 'Node'),
    Addr: bytes(m, 'Addr'),
    Port: uint(m, 'Port', 16),
    Meta: bytesOrNull(m, 'Meta'),
    Vsn: bytes(m, 'Vsn'),
  };
}

export function toPushPullHeader(v: MsgpackValue): PushPullHeader {
  const m = asMap(v, 'pushPullHeader');
  return { Nodes: num(m, 'Nodes'), UserStateLen: num(m, 'UserStateLen'), Join: bool(m, 'Join') };
}

export function toPushNodeState(v: MsgpackValue): PushNodeState {
  const m = asMap(v, 'pushNodeState');
  return {
    Name: str(m, 'Name'),
    Addr: bytes(m, 'Addr'),
    Port: uint(m, 'Port', 16),
    Meta: bytesOrNull(m, 'Meta'),
    Incarnation: uint(m, 'Incarnation', 32),
    State: num(m, 'State'),
    Vsn: bytes(m, 'Vsn'),
  };
}

export function toUserMsgHeader(v: MsgpackValue): UserMsgHeader {
  return { UserMsgLen: num(asMap(v, 'userMsgHeader'), 'UserMsgLen') };
}

export function toCompress(v: MsgpackValue): Compress {
  const m = asMap(v, 'compress');
  return { Algo: uint(m, 'Algo', 8), Buf: bytes(m, 'Buf') };
}

/** Struct → encodable map; byte-slice nulls stay nil, omitempty fields drop when zero. */
export function fromStruct(s: object): EncodableStruct {
  const out: Record<string, EncodableStruct[string]> = {};
  for (const [k, v] of Object.entries(s) as [string, unknown][]) {
    if (v === undefined) continue;
    if (k.startsWith('Source') && (v === '' || v === 0 || (v instanceof Uint8Array && v.length === 0))) continue;
    out[k] = v as EncodableStruct[string];
  }
  return out;
}

// Wire frames of the cluster channel inside memberlist user messages and push/pull user state.
// A message is B7 01, the sender's name and the topic (each a length byte then UTF-8), then the
// payload. A state is B7 02, the sender's name, a u16 count, then per topic: length byte + topic,
// u32 length + bytes. The B7 marker and version byte let us tell our frames from anything else a
// memberlist peer may send (a Go or Serf node's messages and state), which decodes to undefined.

const MARK = 0xb7;
const MSG = 1;
const STATE = 2;
const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });

export interface MessageFrame {
  from: string;
  topic: string;
  payload: Uint8Array;
}

function short(s: string, what: string): Uint8Array {
  const b = enc.encode(s);
  if (b.length === 0 || b.length > 255) throw new Error(`${what} must be 1..255 bytes of UTF-8, got ${b.length}`);
  return b;
}

export function checkTopic(topic: string): void {
  short(topic, 'topic');
}

export function encodeMessageFrame(from: string, topic: string, payload: Uint8Array): Uint8Array {
  const f = short(from, 'node name');
  const t = short(topic, 'topic');
  const out = new Uint8Array(4 + f.length + t.length + payload.length);
  out[0] = MARK; out[1] = MSG;
  out[2] = f.length; out.set(f, 3);
  out[3 + f.length] = t.length; out.set(t, 4 + f.length);
  out.set(payload, 4 + f.length + t.length);
  return out;
}

class Reader {
  at = 0;
  constructor(readonly b: Uint8Array) {}
  byte(): number {
    if (this.at >= this.b.length) throw new RangeError('truncated');
    return this.b[this.at++]!;
  }
  bytes(n: number): Uint8Array {
    if (this.at + n > this.b.length) throw new RangeError('truncated');
    const out = this.b.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
  text(): string {
    const n = this.byte();
    if (n === 0) throw new RangeError('empty string');
    return dec.decode(this.bytes(n));
  }
}

export function decodeMessageFrame(b: Uint8Array): MessageFrame | undefined {
  if (b.length < 6 || b[0] !== MARK || b[1] !== MSG) return undefined;
  try {
    const r = new Reader(b);
    r.at = 2;
    const from = r.text();
    const topic = r.text();
    return { from, topic, payload: b.slice(r.at) };
  } catch {
    return undefined;
  }
}

export function encodeStateFrame(from: string, topics: ReadonlyArray<readonly [string, Uint8Array]>): Uint8Array {
  const f = short(from, 'node name');
  const parts = topics.map(([t, body]) => [short(t, 'topic'), body] as const);
  let size = 3 + f.length + 2;
  for (const [t, body] of parts) size += 1 + t.length + 4 + body.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out[0] = MARK; out[1] = STATE; out[2] = f.length; out.set(f, 3);
  let at = 3 + f.length;
  view.setUint16(at, parts.length); at += 2;
  for (const [t, body] of parts) {
    out[at++] = t.length; out.set(t, at); at += t.length;
    view.setUint32(at, body.length); at += 4;
    out.set(body, at); at += body.length;
  }
  return out;
}

export function decodeStateFrame(b: Uint8Array): { from: string; topics: Array<[string, Uint8Array]> } | undefined {
  if (b.length < 6 || b[0] !== MARK || b[1] !== STATE) return undefined;
  try {
    const r = new Reader(b);
    r.at = 2;
    const from = r.text();
    const count = (r.byte() << 8) | r.byte();
    const topics: Array<[string, Uint8Array]> = [];
    for (let i = 0; i < count; i++) {
      const topic = r.text();
      const len = new DataView(b.buffer, b.byteOffset + r.at, 4).getUint32(0);
      r.at += 4;
      topics.push([topic, r.bytes(len).slice()]);
    }
    if (r.at !== b.length) return undefined;
    return { from, topics };
  } catch {
    return undefined;
  }
}

// Just enough of Serf for a memberlist-only node to sit in a Serf cluster: Serf's tag encoding of
// node meta (0xFF + a msgpack string map), its delegate protocol range (2..5), and the leave intent
// it needs to show a graceful leave as "left" rather than "failed", with a Lamport time above any
// it has gossiped (we track the largest LTime seen in Serf's messages and push/pull state).
import { encodeMsgpack, decodeMsgpack, type MsgpackValue } from '../wire/msgpack.js';

export const SERF_DELEGATE_VERSIONS = { min: 2, max: 5, cur: 5 } as const;

/** "k=v,k2=v2" → tags; text without "=" becomes the legacy {role: text}. */
export function encodeSerfTags(text: string): Uint8Array {
  const tags: Record<string, string> = {};
  if (text.includes('=')) {
    for (const pair of text.split(',')) {
      const at = pair.indexOf('=');
      if (at > 0) tags[pair.slice(0, at)] = pair.slice(at + 1);
    }
  } else if (text) {
    tags.role = text;
  }
  const body = encodeMsgpack(tags);
  const out = new Uint8Array(1 + body.length);
  out[0] = 0xff;
  out.set(body, 1);
  return out;
}

/** Serf tags from node meta (0xFF + msgpack map), or undefined if it isn't tag-encoded. */
export function decodeSerfTags(meta: Uint8Array): Record<string, string> | undefined {
  if (meta[0] !== 0xff) return undefined;
  try {
    const v = decodeMsgpack(meta, 1).value;
    if (!(v instanceof Map)) return undefined;
    const out: Record<string, string> = {};
    for (const [k, x] of v) out[k] = x instanceof Uint8Array ? new TextDecoder().decode(x) : String(x);
    return out;
  } catch {
    return undefined;
  }
}

export class SerfClock {
  private max = 0;

  /** Inspects a Serf user message (type byte + msgpack) for its LTime. */
  observeMessage(msg: Uint8Array): void {
    if (msg.length < 2) return;
    this.observeValue(msg, 1);
  }

  /** Serf's push/pull state is 02 + msgpack{LTime, EventLTime, QueryLTime, …}. */
  observeState(buf: Uint8Array): void {
    if (buf.length > 1 && buf[0] === 2) this.observeValue(buf, 1);
  }

  next(): number {
    return this.max + 1;
  }

  leaveIntent(node: string): Uint8Array {
    const body = encodeMsgpack({ LTime: this.next(), Node: node, Prune: false });
    const out = new Uint8Array(1 + body.length);
    out[0] = 0;
    out.set(body, 1);
    return out;
  }

  private observeValue(buf: Uint8Array, offset: number): void {
    let v: MsgpackValue;
    try {
      v = decodeMsgpack(buf, offset).value;
    } catch {
      return;
    }
    if (!(v instanceof Map)) return;
    for (const key of ['LTime', 'EventLTime', 'QueryLTime']) {
      const t = v.get(key);
      if (typeof t === 'number' && t > this.max) this.max = t;
    }
  }
}

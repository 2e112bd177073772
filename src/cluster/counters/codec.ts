// Wire format of the shared counters, msgpack arrays (no field names) to keep gossip packets small.
// A delta carries the sender's own slots that changed (absolute values, so applying it twice or
// after a newer one is harmless) and its in-flight reservation totals for the keys that changed.
// A state (anti-entropy) carries every slot the sender knows, of every node, dead ones included,
// so a missed delta, a partition or a restart heals on the next push/pull.
import { decode, encode } from '@msgpack/msgpack';

const DELTA = 1;
const STATE = 2;

export interface SlotEntry {
  slot: string;
  key: string;
  start: number;
  epoch: number;
  used: number;
}

export interface HoldEntry {
  key: string;
  amount: number;
}

export interface CounterMessage {
  /** Sender's wall clock when it sent the message (propagation delay = receive time − this). */
  sentAt: number;
  /** The sender's slot id (`node#incarnation`): its reservations are filed under it. */
  from: string;
  /** Sender's message sequence number: orders its reservation announcements. */
  seq: number;
  slots: SlotEntry[];
  holds: HoldEntry[];
  /** True for a full state (anti-entropy); false for a delta. */
  full: boolean;
}

export function encodeMessage(message: CounterMessage): Uint8Array {
  const names: string[] = [];
  const index = new Map<string, number>();
  const flat: unknown[] = [];
  for (const s of message.slots) {
    let at = index.get(s.slot);
    if (at === undefined) {
      at = names.length;
      names.push(s.slot);
      index.set(s.slot, at);
    }
    flat.push(at, s.key, s.start, s.epoch, s.used);
  }
  const holds: unknown[] = [];
  for (const h of message.holds) holds.push(h.key, h.amount);
  return encode([message.full ? STATE : DELTA, message.sentAt, message.from, message.seq, names, flat, holds]);
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Decodes a peer's message; throws on anything malformed (the caller drops it). */
export function decodeMessage(payload: Uint8Array): CounterMessage {
  const raw = decode(payload);
  if (!Array.isArray(raw) || raw.length < 7) throw new Error('counters: not a counter message');
  const [kind, sentAt, from, seq, names, flat, holds] = raw as unknown[];
  if ((kind !== DELTA && kind !== STATE) || !isNum(sentAt) || typeof from !== 'string' || !isNum(seq)
    || !Array.isArray(names) || !Array.isArray(flat) || !Array.isArray(holds) || flat.length % 5 !== 0 || holds.length % 2 !== 0) {
    throw new Error('counters: malformed counter message');
  }
  const slots: SlotEntry[] = [];
  for (let i = 0; i < flat.length; i += 5) {
    const [at, key, start, epoch, used] = flat.slice(i, i + 5) as unknown[];
    const slot = isNum(at) ? names[at] : undefined;
    if (typeof slot !== 'string' || typeof key !== 'string' || !isNum(start) || !isNum(epoch) || !isNum(used)) {
      throw new Error('counters: malformed slot entry');
    }
    slots.push({ slot, key, start, epoch, used });
  }
  const out: HoldEntry[] = [];
  for (let i = 0; i < holds.length; i += 2) {
    const key = holds[i];
    const amount = holds[i + 1];
    if (typeof key !== 'string' || !isNum(amount)) throw new Error('counters: malformed reservation entry');
    out.push({ key, amount });
  }
  return { sentAt, from, seq, slots, holds: out, full: kind === STATE };
}

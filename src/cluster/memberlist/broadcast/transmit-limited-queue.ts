// The TransmitLimitedQueue: broadcasts waiting to be piggybacked on gossip and probe packets, each
// sent at most RetransmitMult × ceil(log10(n+1)) times. Messages about a node (named broadcasts)
// replace older ones about the same node; selection favours the least-sent, then the largest that
// fits, then the newest — the same order as Go's queue, so traffic shapes match.

export interface Broadcast {
  /** The encoded message (type byte included for memberlist's own messages). */
  message: Uint8Array;
  /** Node name for memberlist's alive/suspect/dead: a newer one replaces an older one. */
  name?: string | undefined;
  /** Called once when the item leaves the queue (sent enough times, or replaced). */
  finished?: (() => void) | undefined;
}

interface Item {
  b: Broadcast;
  transmits: number;
  id: number;
}

/** How many times each broadcast is sent in a cluster of n nodes. */
export function retransmitLimit(retransmitMult: number, n: number): number {
  return retransmitMult * Math.ceil(Math.log10(n + 1));
}

export class TransmitLimitedQueue {
  private items: Item[] = [];
  private nextId = 0;

  constructor(private readonly opts: { retransmitMult: number; numNodes: () => number }) {}

  queueBroadcast(b: Broadcast): void {
    if (b.name !== undefined) {
      const keep: Item[] = [];
      for (const item of this.items) {
        if (item.b.name === b.name) item.b.finished?.();
        else keep.push(item);
      }
      this.items = keep;
    }
    this.items.push({ b, transmits: 0, id: this.nextId++ });
  }

  /** Takes broadcasts totalling at most `limit` bytes, charging `overhead` bytes per item. */
  getBroadcasts(overhead: number, limit: number): Uint8Array[] {
    if (this.items.length === 0) return [];
    const transmitLimit = retransmitLimit(this.opts.retransmitMult, this.opts.numNodes());
    const ordered = [...this.items].sort((a, b) => a.transmits - b.transmits
      || b.b.message.length - a.b.message.length || b.id - a.id);
    let used = 0;
    const out: Uint8Array[] = [];
    const retired = new Set<Item>();
    for (const item of ordered) {
      const free = limit - used - overhead;
      if (free <= 0) break;
      if (item.b.message.length > free) continue;
      used += overhead + item.b.message.length;
      out.push(item.b.message);
      if (item.transmits + 1 >= transmitLimit) retired.add(item);
      else item.transmits++;
    }
    if (retired.size > 0) {
      this.items = this.items.filter((i) => !retired.has(i));
      for (const item of retired) item.b.finished?.();
    }
    return out;
  }

  /** Keeps the newest `maxRetain` items (Go's Prune), finishing the rest; returns how many went. */
  prune(maxRetain: number): number {
    if (this.items.length <= maxRetain) return 0;
    const dropped = this.items.slice(0, this.items.length - maxRetain);
    this.items = this.items.slice(this.items.length - maxRetain);
    for (const item of dropped) item.b.finished?.();
    return dropped.length;
  }

  numQueued(): number {
    return this.items.length;
  }

  /** Drops everything (shutdown), firing finished hooks so waiters wake. */
  reset(): void {
    const items = this.items;
    this.items = [];
    for (const item of items) item.b.finished?.();
  }
}

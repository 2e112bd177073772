// The replicated state behind ClusterUsageCounters, free of I/O so it can be tested on its own.
// Per counter key it holds the windows known cluster-wide; each window is a G-counter with one slot
// per node incarnation (`node#incarnation`), merged by taking the max of each slot, so duplicated,
// late or reordered messages change nothing. A window also carries a reset epoch: an admin reset
// bumps it and a higher epoch replaces the slots of a lower one (concurrent resets on two nodes
// land on the same epoch instead of subtracting twice). `used` is the sum of the slots of every
// window still current at `now`; slots of dead nodes stay in that sum until their window ends.
import type { CounterWindow } from '../../core/index.js';

export class WindowCell {
  epoch = 0;
  readonly slots = new Map<string, number>();
  /** Sum of the slots; recomputed on change (a handful of slots) so no rounding drift builds up. */
  total = 0;

  constructor(readonly start: number) {}

  /** Max-merges one slot at `epoch`. Returns whether anything changed. */
  merge(slot: string, epoch: number, used: number): boolean {
    if (epoch < this.epoch || !(used >= 0)) return false;
    if (epoch > this.epoch) {
      this.epoch = epoch;
      this.slots.clear();
    } else if ((this.slots.get(slot) ?? -1) >= used) {
      return false;
    }
    this.slots.set(slot, used);
    this.recount();
    return true;
  }

  /** Adds to this node's own slot (only the owner ever calls this for its slot). */
  charge(slot: string, amount: number): void {
    this.slots.set(slot, (this.slots.get(slot) ?? 0) + amount);
    this.recount();
  }

  /** Starts a new epoch holding only `slot` at zero: the window keeps its start, usage restarts. */
  reset(slot: string): void {
    this.epoch += 1;
    this.slots.clear();
    this.slots.set(slot, 0);
    this.total = 0;
  }

  private recount(): void {
    let total = 0;
    for (const used of this.slots.values()) total += used;
    this.total = total;
  }
}

interface RemoteHold {
  seq: number;
  amount: number;
}

export class KeyState {
  /** The window logic last used with this key (undefined for keys only heard of from peers). */
  window: CounterWindow | undefined;
  /** The `now` of the last local operation on the key: what drainDirty reports the key as of. */
  seenAt = 0;
  /** Known windows, ascending by start; old ones are dropped when a new window is opened. */
  readonly windows: WindowCell[] = [];
  /** Estimates held by this node's in-flight requests. */
  localReserved = 0;
  /** Other incarnations' in-flight estimates (last value each announced, by sequence number). */
  readonly remote = new Map<string, RemoteHold>();
  remoteReserved = 0;

  cell(start: number): WindowCell | undefined {
    for (const w of this.windows) if (w.start === start) return w;
    return undefined;
  }

  ensure(start: number): { cell: WindowCell; created: boolean } {
    const found = this.cell(start);
    if (found) return { cell: found, created: false };
    const cell = new WindowCell(start);
    let at = this.windows.length;
    while (at > 0 && (this.windows[at - 1]?.start ?? 0) > start) at -= 1;
    this.windows.splice(at, 0, cell);
    return { cell, created: true };
  }

  latestStart(): number | undefined {
    return this.windows[this.windows.length - 1]?.start;
  }

  /** Committed usage of every window still current at `now`. */
  used(window: CounterWindow, now: number): number {
    let used = 0;
    for (const w of this.windows) if (isCurrent(window, w.start, now)) used += w.total;
    return used;
  }

  /** The earliest window still current at `now`: the one this node writes to and reports. */
  earliestCurrent(window: CounterWindow, now: number): number | undefined {
    for (const w of this.windows) if (isCurrent(window, w.start, now)) return w.start;
    return undefined;
  }

  setRemote(slot: string, seq: number, amount: number): boolean {
    const held = this.remote.get(slot);
    if (held && held.seq >= seq) return false;
    this.remote.set(slot, { seq, amount });
    this.recountRemote();
    return true;
  }

  /** Forgets the holds of the slots `drop` selects (a dead node, an older incarnation). */
  dropRemote(drop: (slot: string) => boolean): void {
    let changed = false;
    for (const slot of this.remote.keys()) {
      if (drop(slot)) {
        this.remote.delete(slot);
        changed = true;
      }
    }
    if (changed) this.recountRemote();
  }

  private recountRemote(): void {
    let sum = 0;
    for (const hold of this.remote.values()) sum += hold.amount;
    this.remoteReserved = sum;
  }
}

/** A window start is current at `now` when the window logic would keep it. */
export function isCurrent(window: CounterWindow, start: number, now: number): boolean {
  return window.roll(start, now) === start;
}

/** The node name of a slot id `name#incarnation`. */
export function nodeOf(slot: string): string {
  const at = slot.lastIndexOf('#');
  return at < 0 ? slot : slot.slice(0, at);
}

// Durable slots: the port the shared counters persist through, and an in-memory implementation for
// tests. Each node writes its own slots (plus those of nodes it saw die, as a safety net); a write
// never lowers a stored value (greater epoch wins, then the greater usage), so several nodes may
// write the same slot and a late write cannot undo a newer one. The kysely implementation lives in
// src/storage/governance/counter-slots.ts (table `governance_counter_slots`).

export interface CounterSlotRow {
  /** Slot id: `node#incarnation` (or `~usage` for usage loaded from the single-node table). */
  node: string;
  key: string;
  windowStart: number;
  epoch: number;
  used: number;
}

export interface CounterSlotStore {
  /** Upserts slots in one transaction, keeping the greater (epoch, used) of stored and given. */
  saveSlots(rows: readonly CounterSlotRow[]): Promise<void>;
  /** Every stored slot; the counters decide which windows are still current. */
  loadSlots(): Promise<CounterSlotRow[]>;
  /** Drops every node's slots of windows that have ended. */
  deleteWindows(windows: ReadonlyArray<{ key: string; windowStart: number }>): Promise<void>;
}

const id = (node: string, key: string, start: number): string => `${node}\u0000${key}\u0000${start}`;

/** Slots in process memory, with the same merge rule as the database (tests, demos). */
export class MemorySlotStore implements CounterSlotStore {
  readonly rows = new Map<string, CounterSlotRow>();
  /** Set to make the next writes fail (outage tests). */
  failing = false;

  async saveSlots(rows: readonly CounterSlotRow[]): Promise<void> {
    if (this.failing) throw new Error('slot store unavailable');
    for (const row of rows) {
      const k = id(row.node, row.key, row.windowStart);
      const old = this.rows.get(k);
      if (!old || row.epoch > old.epoch || (row.epoch === old.epoch && row.used > old.used)) this.rows.set(k, { ...row });
    }
  }

  async loadSlots(): Promise<CounterSlotRow[]> {
    if (this.failing) throw new Error('slot store unavailable');
    return [...this.rows.values()].map((r) => ({ ...r }));
  }

  async deleteWindows(windows: ReadonlyArray<{ key: string; windowStart: number }>): Promise<void> {
    if (this.failing) throw new Error('slot store unavailable');
    const gone = new Set(windows.map((w) => `${w.key}\u0000${w.windowStart}`));
    for (const [k, row] of this.rows) if (gone.has(`${row.key}\u0000${row.windowStart}`)) this.rows.delete(k);
  }
}

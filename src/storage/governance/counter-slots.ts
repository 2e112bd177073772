// The durable side of the cluster's shared usage counters: table `governance_counter_slots`, one
// row per (node slot, counter key, window start). Each gateway writes its own slots; the upsert
// keeps the greater (epoch, used) of the stored and the written row, so writes may repeat, arrive
// late or come from several nodes without ever lowering a count. At startup every node reads all
// rows back (the cluster-wide sum); rows of ended windows are deleted by whichever node sees them end.
// Structurally implements src/cluster/counters' CounterSlotStore (storage does not import cluster).
import { type Kysely, sql } from 'kysely';
import type { Database } from '../database.js';
import type { Migration } from '../migrations.js';

export interface CounterSlotRecord {
  node: string;
  key: string;
  windowStart: number;
  epoch: number;
  used: number;
}

interface SlotRow {
  node: string;
  key: string;
  window_start: number;
  epoch: number;
  used: number;
  updated_at: number;
}

interface SlotTables {
  governance_counter_slots: SlotRow;
}

/** Appended to GOVERNANCE_MIGRATIONS (schema.ts). */
export const COUNTER_SLOTS_MIGRATION: Migration = {
  name: '002_create_governance_counter_slots',
  async up({ db, kind }) {
    const big = kind === 'postgres' ? 'bigint' : 'integer';
    const real = kind === 'postgres' ? 'double precision' : 'real';
    await sql.raw(`create table governance_counter_slots (node text not null, key text not null, window_start ${big} not null,
      epoch integer not null, used ${real} not null, updated_at ${big} not null, primary key (node, key, window_start))`).execute(db);
  },
};

// Rows per insert statement: well under PostgreSQL's 65,535 bind parameters (6 per row).
const CHUNK = 500;

export class CounterSlotsStore {
  private readonly db: Kysely<SlotTables>;

  /** `database` must have the governance migrations applied (GovernanceStore.open does it). */
  constructor(private readonly database: Database, private readonly now: () => number = Date.now) {
    this.db = database.typed<SlotTables>();
  }

  async saveSlots(rows: readonly CounterSlotRecord[]): Promise<void> {
    // One statement cannot touch a row twice (ON CONFLICT): fold repeats first, keeping the greater.
    const folded = new Map<string, CounterSlotRecord>();
    for (const row of rows) {
      const id = `${row.node}\u0000${row.key}\u0000${row.windowStart}`;
      const old = folded.get(id);
      if (!old || row.epoch > old.epoch || (row.epoch === old.epoch && row.used > old.used)) folded.set(id, row);
    }
    if (folded.size === 0) return;
    const at = this.now();
    const values = [...folded.values()].map((r) => ({ node: r.node, key: r.key, window_start: r.windowStart, epoch: r.epoch, used: r.used, updated_at: at }));
    await this.db.transaction().execute(async (trx) => {
      for (let i = 0; i < values.length; i += CHUNK) {
        await trx.insertInto('governance_counter_slots').values(values.slice(i, i + CHUNK))
          .onConflict((oc) => oc.columns(['node', 'key', 'window_start']).doUpdateSet({
            // Right-hand sides read the stored row (both backends): a higher epoch replaces, the
            // same epoch keeps the larger count, a lower one is ignored.
            used: sql<number>`case when excluded.epoch > governance_counter_slots.epoch then excluded.used
              when excluded.epoch = governance_counter_slots.epoch then ${greatest('governance_counter_slots.used', 'excluded.used', this.kind())}
              else governance_counter_slots.used end`,
            epoch: sql<number>`${greatest('governance_counter_slots.epoch', 'excluded.epoch', this.kind())}`,
            updated_at: sql<number>`excluded.updated_at`,
          }))
          .execute();
      }
    });
  }

  async loadSlots(): Promise<CounterSlotRecord[]> {
    const rows = await this.db.selectFrom('governance_counter_slots').select(['node', 'key', 'window_start', 'epoch', 'used']).execute();
    return rows.map((r) => ({ node: r.node, key: r.key, windowStart: Number(r.window_start), epoch: Number(r.epoch), used: Number(r.used) }));
  }

  async deleteWindows(windows: ReadonlyArray<{ key: string; windowStart: number }>): Promise<void> {
    if (windows.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      for (const w of windows) {
        await trx.deleteFrom('governance_counter_slots').where('key', '=', w.key).where('window_start', '=', w.windowStart).execute();
      }
    });
  }

  private kind(): 'postgres' | 'sqlite' {
    return this.database.kind;
  }
}

/** `greatest(a, b)` on PostgreSQL, the two-argument scalar `max(a, b)` on SQLite. */
function greatest(a: string, b: string, kind: 'postgres' | 'sqlite') {
  return sql.raw(kind === 'postgres' ? `greatest(${a}, ${b})` : `max(${a}, ${b})`);
}

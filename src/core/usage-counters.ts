// The `UsageCounters` port: where governance keeps request, token and dollar usage per limit and
// window, and the in-memory implementation used on a single node. Operations are synchronous so
// that "check every limit, then reserve on all of them" is atomic on Node's single thread; a
// cluster implementation keeps the same shape and adds the other nodes' shares (a G-counter slot
// per node) to `used`, so the governance rules never change. Persistence is pull-based: a flusher
// drains the cells that changed and writes them to the config store off the request path.

/** How a counter's window advances. Implemented by the governance window logic. */
export interface CounterWindow {
  /** Stable identity of the window kind, part of the cell identity (e.g. `1h`, `1M@cal`). */
  readonly id: string;
  /** Start of the window that contains `now`, given the start stored so far (undefined = never). */
  roll(lastReset: number | undefined, now: number): number;
  /** When the window that started at `start` ends. */
  nextReset(start: number): number;
}

/** One limit a request must fit in: counter key (entity + limit), its window and its cap. */
export interface CounterLimit {
  /** e.g. `budget:<id>`, `rl:<id>:requests`, `rl:<id>:tokens`. */
  key: string;
  window: CounterWindow;
  /** The cap; the limit is hit once used + reserved reaches it. */
  max: number;
  /** What this request reserves against the limit (its estimate). */
  amount: number;
}

export interface CounterReading {
  /** Committed usage in the current window (across nodes for a replicated implementation). */
  used: number;
  /** Estimates held by in-flight requests. */
  reserved: number;
  windowStart: number;
  nextReset: number;
}

/** A persisted cell: what the flusher writes and what a restart loads back. */
export interface CounterState {
  key: string;
  windowStart: number;
  used: number;
}

export interface Reservation {
  readonly id: number;
  readonly holds: ReadonlyArray<{ key: string; window: CounterWindow; amount: number }>;
}

export type ReserveOutcome =
  | { ok: true; reservation: Reservation }
  | { ok: false; limit: CounterLimit; reading: CounterReading };

export interface UsageCounters {
  /** Checks every limit; if all have room, reserves each amount and returns the reservation. */
  reserve(limits: readonly CounterLimit[], now: number): ReserveOutcome;
  /** Releases a reservation and charges the actual amounts (by counter key) to the current windows. */
  settle(reservation: Reservation, actual: Readonly<Record<string, number>>, now: number): void;
  /** Charges usage that had no reservation. */
  add(key: string, window: CounterWindow, amount: number, now: number): void;
  read(key: string, window: CounterWindow, now: number): CounterReading;
  /** Zeroes a counter's usage, keeping its window (Bifrost's reset_budget_usage). */
  reset(key: string): void;
  /** Cells changed since the last drain, for the background flusher. */
  drainDirty(): CounterState[];
  /** Restores persisted cells (startup); the window logic decides whether they are still current. */
  load(states: readonly CounterState[]): void;
}

interface Cell {
  windowStart: number | undefined;
  used: number;
  reserved: number;
}

/** Single-node counters held in process memory. */
export class InMemoryUsageCounters implements UsageCounters {
  private readonly cells = new Map<string, Cell>();
  private readonly dirty = new Set<string>();
  private nextId = 1;

  reserve(limits: readonly CounterLimit[], now: number): ReserveOutcome {
    for (const limit of limits) {
      const cell = this.current(limit.key, limit.window, now);
      if (cell.used + cell.reserved >= limit.max) {
        return { ok: false, limit, reading: this.reading(cell, limit.window) };
      }
    }
    for (const limit of limits) this.cell(limit.key).reserved += limit.amount;
    const holds = limits.map((l) => ({ key: l.key, window: l.window, amount: l.amount }));
    return { ok: true, reservation: { id: this.nextId++, holds } };
  }

  settle(reservation: Reservation, actual: Readonly<Record<string, number>>, now: number): void {
    for (const hold of reservation.holds) {
      const cell = this.current(hold.key, hold.window, now);
      cell.reserved = Math.max(0, cell.reserved - hold.amount);
      const amount = actual[hold.key] ?? 0;
      if (amount > 0) {
        cell.used += amount;
        this.dirty.add(hold.key);
      }
    }
  }

  add(key: string, window: CounterWindow, amount: number, now: number): void {
    if (!(amount > 0)) return;
    this.current(key, window, now).used += amount;
    this.dirty.add(key);
  }

  read(key: string, window: CounterWindow, now: number): CounterReading {
    return this.reading(this.current(key, window, now), window);
  }

  reset(key: string): void {
    const cell = this.cells.get(key);
    if (!cell) return;
    cell.used = 0;
    this.dirty.add(key);
  }

  drainDirty(): CounterState[] {
    const out: CounterState[] = [];
    for (const key of this.dirty) {
      const cell = this.cells.get(key);
      if (cell?.windowStart !== undefined) out.push({ key, windowStart: cell.windowStart, used: cell.used });
    }
    this.dirty.clear();
    return out;
  }

  load(states: readonly CounterState[]): void {
    for (const state of states) {
      const cell = this.cell(state.key);
      cell.windowStart = state.windowStart;
      cell.used = state.used;
    }
  }

  private cell(key: string): Cell {
    let cell = this.cells.get(key);
    if (!cell) {
      cell = { windowStart: undefined, used: 0, reserved: 0 };
      this.cells.set(key, cell);
    }
    return cell;
  }

  /** The cell with its window advanced to `now`; a new window zeroes committed usage only. */
  private current(key: string, window: CounterWindow, now: number): Cell {
    const cell = this.cell(key);
    const start = window.roll(cell.windowStart, now);
    if (start !== cell.windowStart) {
      if (cell.windowStart !== undefined) cell.used = 0;
      cell.windowStart = start;
      this.dirty.add(key);
    }
    return cell;
  }

  private reading(cell: Cell, window: CounterWindow): CounterReading {
    const windowStart = cell.windowStart ?? 0;
    return { used: cell.used, reserved: cell.reserved, windowStart, nextReset: window.nextReset(windowStart) };
  }
}

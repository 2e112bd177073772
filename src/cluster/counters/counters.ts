// ClusterUsageCounters: core's UsageCounters port shared by every gateway replica over the cluster
// channel, so a limit holds for the cluster rather than per replica. Operations stay synchronous on
// local state (the governance rules do not change); this node writes only its own slot, sends what
// changed in small batched deltas, and takes full state on anti-entropy. See README.md beside this
// file for windows, merge, reservations, persistence and the overshoot bound (measured).
import type { Clock, CounterLimit, CounterReading, CounterState, CounterWindow, Logger, Reservation, ReserveOutcome, UsageCounters } from '../../core/index.js';
import type { ClusterChannel, MemberEvent } from '../channel/index.js';
import { decodeMessage, encodeMessage, type CounterMessage, type HoldEntry, type SlotEntry } from './codec.js';
import { isCurrent, KeyState, nodeOf, type WindowCell } from './replica.js';
import type { CounterSlotRow, CounterSlotStore } from './slot-store.js';

export const COUNTERS_TOPIC = 'governance.counters';
/** Slot id of usage loaded from the single-node `governance_usage` table (same on every node). */
export const LEGACY_SLOT = '~usage';

export interface ClusterCountersOptions {
  channel: ClusterChannel;
  clock: Pick<Clock, 'now' | 'monotonic'>;
  /** Distinguishes this process from earlier runs of the same node (default: start time, base 36). */
  incarnation?: string;
  /** Deltas are batched this long (default 20 ms); 0 sends on every change. */
  batchMs?: number;
  /** Announce in-flight estimates to peers and count theirs (default true). */
  shareReservations?: boolean;
  /** Durable slots (PostgreSQL); without it usage survives only while some node is up. */
  store?: CounterSlotStore;
  /** How often `start()` writes changed slots to the store (default 10 s, as Bifrost). */
  persistMs?: number;
  /**
   * Pacing near a limit: how far back this node's own recent reservations count as what each peer
   * has probably admitted but not yet told (default 2 × batchMs + 40 ms; 0 turns pacing off).
   */
  paceWindowMs?: number;
  /** Observes each delta's propagation delay in seconds (a Prometheus histogram). */
  onPropagation?: (seconds: number) => void;
  logger?: Pick<Logger, 'warn'>;
  topic?: string;
}

interface SlotRef {
  slot: string;
  key: string;
  start: number;
}

const ref = (slot: string, key: string, start: number): string => `${slot}\u0000${key}\u0000${start}`;
const LAG_BUCKET_MS = 10_000;

export class ClusterUsageCounters implements UsageCounters {
  /** This process's slot id, `node#incarnation`. */
  readonly slot: string;
  private readonly keys = new Map<string, KeyState>();
  private readonly batchMs: number;
  private readonly share: boolean;
  private readonly topic: string;
  private nextId = 1;
  private seq = 0;
  // What changed since the last delta / persist / drainDirty.
  private readonly sendSlots = new Map<string, SlotRef>();
  private readonly sendHolds = new Set<string>();
  private readonly persistSlots = new Map<string, SlotRef>();
  private pendingDeletes: Array<{ key: string; windowStart: number }> = [];
  private readonly govDirty = new Set<string>();
  private readonly reported = new Map<string, number>();
  /** Current incarnation of each peer, so an older one's reservations are dropped on restart. */
  private readonly incarnations = new Map<string, string>();
  private restoredRows = 0;
  private pendingSince: number | undefined;
  private sendTimer: NodeJS.Timeout | undefined;
  private persistTimer: NodeJS.Timeout | undefined;
  private persisting: Promise<void> | undefined;
  private lag = { bucket: 0, max: 0, previous: 0 };
  /** Highest message sequence number seen from each sender incarnation. */
  private readonly firstSeen = new Map<string, number>();
  private readonly unsubscribe: Array<() => void>;
  private readonly paceWindowMs: number;
  /** Per key: this node's reservations in the current and the previous pace window. */
  private readonly recent = new Map<string, { start: number; current: number; previous: number }>();
  readonly stats = { deltasSent: 0, deltaBytes: 0, deltasReceived: 0, statesMerged: 0, dropped: 0 };

  constructor(private readonly options: ClusterCountersOptions) {
    const { channel } = options;
    this.slot = `${channel.self}#${options.incarnation ?? options.clock.now().toString(36)}`;
    this.batchMs = options.batchMs ?? 20;
    this.paceWindowMs = options.paceWindowMs ?? 2 * this.batchMs + 40;
    this.share = options.shareReservations ?? true;
    this.topic = options.topic ?? COUNTERS_TOPIC;
    this.unsubscribe = [
      channel.on(this.topic, (from, payload) => this.receive(from, payload)),
      channel.state(this.topic, { local: () => this.fullState(), merge: (from, remote) => this.receive(from, remote) }),
      channel.onMembership((event) => this.member(event)),
    ];
  }

  // ---- UsageCounters ------------------------------------------------------------------------

  reserve(limits: readonly CounterLimit[], now: number): ReserveOutcome {
    for (const limit of limits) {
      const ks = this.keyState(limit.key, limit.window);
      const cell = this.target(ks, limit.key, limit.window, now);
      const used = ks.used(limit.window, now);
      const reserved = this.reservedOf(ks);
      if (used + reserved + this.unheard(limit.key, ks.localReserved) >= limit.max) {
        this.sendIfUnbatched();
        return { ok: false, limit, reading: { used, reserved, windowStart: cell.start, nextReset: limit.window.nextReset(cell.start) } };
      }
    }
    for (const limit of limits) {
      this.keyState(limit.key, limit.window).localReserved += limit.amount;
      this.holdChanged(limit.key);
      this.paced(limit.key, limit.amount);
    }
    this.sendIfUnbatched();
    const holds = limits.map((l) => ({ key: l.key, window: l.window, amount: l.amount }));
    return { ok: true, reservation: { id: this.nextId++, holds } };
  }

  settle(reservation: Reservation, actual: Readonly<Record<string, number>>, now: number): void {
    for (const hold of reservation.holds) {
      const ks = this.keyState(hold.key, hold.window);
      const cell = this.target(ks, hold.key, hold.window, now);
      ks.localReserved = Math.max(0, ks.localReserved - hold.amount);
      this.holdChanged(hold.key);
      const amount = actual[hold.key] ?? 0;
      if (amount > 0) this.charge(hold.key, cell, amount);
    }
    this.sendIfUnbatched();
  }

  add(key: string, window: CounterWindow, amount: number, now: number): void {
    if (!(amount > 0)) return;
    const ks = this.keyState(key, window);
    this.charge(key, this.target(ks, key, window, now), amount);
    this.sendIfUnbatched();
  }

  read(key: string, window: CounterWindow, now: number): CounterReading {
    const ks = this.keyState(key, window);
    const cell = this.target(ks, key, window, now);
    this.sendIfUnbatched();
    return { used: ks.used(window, now), reserved: this.reservedOf(ks), windowStart: cell.start, nextReset: window.nextReset(cell.start) };
  }

  /** Zeroes the key's usage cluster-wide by moving its windows to a new reset epoch. */
  reset(key: string): void {
    const ks = this.keys.get(key);
    if (!ks) return;
    for (const cell of ks.windows) {
      cell.reset(this.slot);
      this.slotChanged(this.slot, key, cell.start);
    }
    this.govDirty.add(key);
    this.sendIfUnbatched();
  }

  /** The cluster-wide usage of the keys this node changed, for the single-row `governance_usage` flusher. */
  drainDirty(): CounterState[] {
    const out: CounterState[] = [];
    for (const key of this.govDirty) {
      const ks = this.keys.get(key);
      const window = ks?.window;
      if (!ks || !window) continue;
      const windowStart = ks.earliestCurrent(window, ks.seenAt) ?? this.reported.get(key);
      if (windowStart !== undefined) out.push({ key, windowStart, used: ks.used(window, ks.seenAt) });
    }
    this.govDirty.clear();
    return out;
  }

  /**
   * Usage from the single-node table. Once the cluster has slots (restored from the store or
   * merged from peers) those rows only repeat the slots' sum, so they are ignored; otherwise (first
   * cluster start, or no store) they become one shared slot, the same on every node, so N nodes
   * loading the same row count it once.
   */
  load(states: readonly CounterState[]): void {
    if (this.restoredRows > 0) return;
    for (const state of states) {
      const ks = this.keyState(state.key);
      if (ks.windows.length > 0) continue;
      ks.ensure(state.windowStart).cell.merge(LEGACY_SLOT, 0, state.used);
      if (this.options.store) this.persistSlots.set(ref(LEGACY_SLOT, state.key, state.windowStart), { slot: LEGACY_SLOT, key: state.key, start: state.windowStart });
    }
  }

  // ---- lifecycle, persistence, status -------------------------------------------------------

  /** Reads every node's stored slots (call before governance loads, i.e. before createGovernance). */
  async restore(): Promise<number> {
    const store = this.options.store;
    if (!store) return 0;
    const rows = await store.loadSlots();
    for (const row of rows) this.keyState(row.key).ensure(row.windowStart).cell.merge(row.node, row.epoch, row.used);
    this.restoredRows += rows.length;
    return rows.length;
  }

  /** Starts the periodic slot writes. */
  start(): void {
    if (this.persistTimer || !this.options.store) return;
    this.persistTimer = setInterval(() => void this.persist(), this.options.persistMs ?? 10_000);
    this.persistTimer.unref();
  }

  /** Sends the pending delta now. */
  publish(): void {
    if (this.sendTimer) clearTimeout(this.sendTimer);
    this.sendTimer = undefined;
    if (this.sendSlots.size === 0 && this.sendHolds.size === 0) return;
    const slots: SlotEntry[] = [];
    for (const r of this.sendSlots.values()) {
      const cell = this.keys.get(r.key)?.cell(r.start);
      const used = cell?.slots.get(r.slot);
      if (cell && used !== undefined) slots.push({ slot: r.slot, key: r.key, start: r.start, epoch: cell.epoch, used });
    }
    const holds: HoldEntry[] = [];
    for (const key of this.sendHolds) holds.push({ key, amount: this.keys.get(key)?.localReserved ?? 0 });
    this.sendSlots.clear();
    this.sendHolds.clear();
    this.pendingSince = undefined;
    const payload = encodeMessage({ sentAt: this.options.clock.now(), from: this.slot, seq: ++this.seq, slots, holds, full: false });
    this.stats.deltasSent += 1;
    this.stats.deltaBytes += payload.byteLength;
    this.options.channel.broadcast(this.topic, payload);
  }

  /** Writes changed slots (own, loaded, and those of nodes seen dying) and drops ended windows. */
  persist(): Promise<void> {
    const store = this.options.store;
    if (!store) return Promise.resolve();
    if (this.persisting) return this.persisting.then(() => this.persist());
    const refs = [...this.persistSlots.values()];
    const deletes = this.pendingDeletes;
    if (refs.length === 0 && deletes.length === 0) return Promise.resolve();
    this.persistSlots.clear();
    this.pendingDeletes = [];
    const rows: CounterSlotRow[] = [];
    for (const r of refs) {
      const cell = this.keys.get(r.key)?.cell(r.start);
      const used = cell?.slots.get(r.slot);
      if (cell && used !== undefined) rows.push({ node: r.slot, key: r.key, windowStart: r.start, epoch: cell.epoch, used });
    }
    this.persisting = (async () => {
      try {
        if (rows.length > 0) await store.saveSlots(rows);
        if (deletes.length > 0) await store.deleteWindows(deletes);
      } catch (error) {
        this.options.logger?.warn({ err: error, slots: rows.length }, 'cluster counters: slot write failed; will retry');
        for (const r of refs) this.persistSlots.set(ref(r.slot, r.key, r.start), r);
        this.pendingDeletes.push(...deletes);
      } finally {
        this.persisting = undefined;
      }
    })();
    return this.persisting;
  }

  /** Sends the last delta, writes the last slots and leaves the channel. */
  async close(): Promise<void> {
    this.publish();
    if (this.persistTimer) clearInterval(this.persistTimer);
    this.persistTimer = undefined;
    await this.persist();
    for (const off of this.unsubscribe.splice(0)) off();
  }

  /**
   * How far behind the cluster view may be, in ms: the larger of the age of local changes not yet
   * sent and the longest delta propagation delay observed in the last 10–20 s.
   */
  syncLagMs(): number {
    const pending = this.pendingSince === undefined ? 0 : this.options.clock.monotonic() - this.pendingSince;
    this.rotateLag();
    return Math.max(pending, this.lag.max, this.lag.previous);
  }

  // ---- internals ----------------------------------------------------------------------------

  private keyState(key: string, window?: CounterWindow): KeyState {
    let ks = this.keys.get(key);
    if (!ks) this.keys.set(key, (ks = new KeyState()));
    if (window) ks.window = window;
    return ks;
  }

  /**
   * What the peers have probably reserved on `key` that has not reached this node yet: each alive
   * peer is assumed to admit at this node's own recent pace for one propagation delay, but never
   * more than this node has in flight — requests that come one after another (in flight: none)
   * have nothing unheard, so sequential traffic gets exactly the limit. Far from the limit it
   * changes nothing; near it, N replicas under an even concurrent load stop together at the limit
   * instead of each admitting for one delay after the sum already reached it. An uneven load
   * makes the busiest replica refuse a little early instead.
   */
  private unheard(key: string, inFlight: number): number {
    if (this.paceWindowMs <= 0) return 0;
    const peers = this.options.channel.alive().length - 1;
    const pace = this.recent.get(key);
    if (peers <= 0 || !pace) return 0;
    const now = this.options.clock.monotonic();
    this.roll(pace, now);
    const elapsed = (now - pace.start) / this.paceWindowMs;
    return peers * Math.min(inFlight, pace.current + pace.previous * Math.max(0, 1 - elapsed));
  }

  private paced(key: string, amount: number): void {
    if (this.paceWindowMs <= 0) return;
    const now = this.options.clock.monotonic();
    let pace = this.recent.get(key);
    if (!pace) this.recent.set(key, (pace = { start: now, current: 0, previous: 0 }));
    this.roll(pace, now);
    pace.current += amount;
  }

  /** Moves a pace counter to the window containing `now` (a two-bucket sliding count). */
  private roll(pace: { start: number; current: number; previous: number }, now: number): void {
    const windows = Math.floor((now - pace.start) / this.paceWindowMs);
    if (windows <= 0) return;
    pace.previous = windows === 1 ? pace.current : 0;
    pace.current = 0;
    pace.start += windows * this.paceWindowMs;
  }

  private reservedOf(ks: KeyState): number {
    return this.share ? ks.localReserved + ks.remoteReserved : ks.localReserved;
  }

  /**
   * The window this node writes to at `now`: the earliest window still current (so every node
   * joins the window the first of them opened), else a new one. With peers, a new window follows
   * the last one without a gap (start = its end) whenever that is still current, so nodes that roll
   * independently pick the same start; alone (or after a long idle gap) it starts as the window
   * logic says, exactly as the single-node counters do.
   */
  private target(ks: KeyState, key: string, window: CounterWindow, now: number): WindowCell {
    ks.seenAt = now;
    let start = ks.earliestCurrent(window, now);
    if (start === undefined) start = this.successor(ks, window, now);
    const { cell, created } = ks.ensure(start);
    if (created) this.opened(ks, key, window, now, cell);
    if (this.reported.get(key) !== start) {
      this.reported.set(key, start);
      this.govDirty.add(key);
    }
    return cell;
  }

  private successor(ks: KeyState, window: CounterWindow, now: number): number {
    const latest = ks.latestStart();
    if (latest !== undefined && this.options.channel.alive().length > 1) {
      // The earliest follow-on of a known window (ascending starts): after two nodes opened windows
      // concurrently, both continue from the earlier one.
      for (const w of ks.windows) {
        let start = window.nextReset(w.start);
        for (let step = 0; step < 2 && start <= now; step += 1) {
          if (isCurrent(window, start, now)) return start;
          start = window.nextReset(start);
        }
      }
    }
    return window.roll(latest, now);
  }

  /** A window this node opened: announce its start (an empty own slot) and drop ended windows. */
  private opened(ks: KeyState, key: string, window: CounterWindow, now: number, cell: WindowCell): void {
    cell.charge(this.slot, 0);
    this.slotChanged(this.slot, key, cell.start, false);
    for (let i = ks.windows.length - 1; i >= 0; i -= 1) {
      const w = ks.windows[i];
      if (!w || w.start >= cell.start || isCurrent(window, w.start, now)) continue;
      ks.windows.splice(i, 1);
      if (this.options.store) this.pendingDeletes.push({ key, windowStart: w.start });
    }
  }

  private charge(key: string, cell: WindowCell, amount: number): void {
    cell.charge(this.slot, amount);
    this.slotChanged(this.slot, key, cell.start);
    this.govDirty.add(key);
  }

  private slotChanged(slot: string, key: string, start: number, persist = true): void {
    const r = { slot, key, start };
    this.sendSlots.set(ref(slot, key, start), r);
    if (persist && this.options.store) this.persistSlots.set(ref(slot, key, start), r);
    this.scheduleSend();
  }

  private holdChanged(key: string): void {
    if (!this.share) return;
    this.sendHolds.add(key);
    this.scheduleSend();
  }

  /** With batchMs 0, each operation's changes go out as one delta when it ends. */
  private sendIfUnbatched(): void {
    if (this.batchMs <= 0 && this.pendingSince !== undefined) this.publish();
  }

  private scheduleSend(): void {
    this.pendingSince ??= this.options.clock.monotonic();
    if (this.batchMs > 0 && !this.sendTimer) {
      this.sendTimer = setTimeout(() => this.publish(), this.batchMs);
      this.sendTimer.unref();
    }
  }

  private fullState(): Uint8Array {
    const slots: SlotEntry[] = [];
    const holds: HoldEntry[] = [];
    for (const [key, ks] of this.keys) {
      for (const cell of ks.windows) {
        for (const [slot, used] of cell.slots) slots.push({ slot, key, start: cell.start, epoch: cell.epoch, used });
      }
      if (this.share && ks.localReserved > 0) holds.push({ key, amount: ks.localReserved });
    }
    return encodeMessage({ sentAt: this.options.clock.now(), from: this.slot, seq: ++this.seq, slots, holds, full: true });
  }

  private receive(from: string, payload: Uint8Array): void {
    let message: CounterMessage;
    try {
      message = decodeMessage(payload);
    } catch {
      this.stats.dropped += 1;
      return;
    }
    if (message.from === this.slot || nodeOf(message.from) !== from) {
      this.stats.dropped += 1;
      return;
    }
    const now = this.options.clock.now();
    if (message.full) this.stats.statesMerged += 1;
    else {
      this.stats.deltasReceived += 1;
      // A delta arrives once directly and again (and again) by gossip: only its first arrival says
      // how long propagation took.
      if (message.seq > (this.firstSeen.get(message.from) ?? 0)) {
        this.firstSeen.set(message.from, message.seq);
        this.observe(Math.max(0, now - message.sentAt));
      }
    }
    for (const s of message.slots) {
      // A delta only speaks for its sender's slot; a full state relays every slot it knows.
      if (!message.full && s.slot !== message.from) continue;
      this.mergeSlot(s, now);
    }
    if (this.share) this.mergeHolds(message);
  }

  private mergeSlot(s: SlotEntry, now: number): void {
    const ks = this.keyState(s.key);
    const latest = ks.latestStart();
    // A window that ended before the newest one known is history: drop it rather than regrow it.
    if (ks.window && latest !== undefined && s.start < latest && !isCurrent(ks.window, s.start, now) && !ks.cell(s.start)) return;
    const { cell } = ks.ensure(s.start);
    cell.merge(s.slot, s.epoch, s.used);
  }

  private mergeHolds(message: CounterMessage): void {
    const node = nodeOf(message.from);
    const known = this.incarnations.get(node);
    if (known !== message.from) {
      this.incarnations.set(node, message.from);
      if (known !== undefined) for (const ks of this.keys.values()) ks.dropRemote((slot) => nodeOf(slot) === node && slot !== message.from);
    }
    const listed = new Set<string>();
    for (const h of message.holds) {
      listed.add(h.key);
      this.keyState(h.key).setRemote(message.from, message.seq, h.amount);
    }
    // A full state lists every key the sender holds estimates on: any other is back to zero.
    if (message.full) {
      for (const [key, ks] of this.keys) if (!listed.has(key) && ks.remote.has(message.from)) ks.setRemote(message.from, message.seq, 0);
    }
  }

  private member(event: MemberEvent): void {
    if (event.state !== 'dead' && event.state !== 'left') return;
    // Its in-flight requests died with it; its counted usage stays until the window ends, and we
    // write its slots too in case it died before writing them itself.
    for (const [key, ks] of this.keys) {
      ks.dropRemote((slot) => nodeOf(slot) === event.node);
      if (!this.options.store) continue;
      for (const cell of ks.windows) {
        for (const slot of cell.slots.keys()) {
          if (nodeOf(slot) === event.node) this.persistSlots.set(ref(slot, key, cell.start), { slot, key, start: cell.start });
        }
      }
    }
  }

  private observe(delayMs: number): void {
    this.options.onPropagation?.(delayMs / 1000);
    this.rotateLag();
    if (delayMs > this.lag.max) this.lag.max = delayMs;
  }

  private rotateLag(): void {
    const bucket = Math.floor(this.options.clock.monotonic() / LAG_BUCKET_MS);
    if (bucket === this.lag.bucket) return;
    this.lag = { bucket, max: 0, previous: bucket === this.lag.bucket + 1 ? this.lag.max : 0 };
  }
}

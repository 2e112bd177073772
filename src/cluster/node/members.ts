// The node's view of membership on top of memberlist's table: each member's state with the time it
// entered it, decoded meta, when it was last known alive and whether it has settled (alive for
// success_threshold probe intervals). `refresh` diffs memberlist's table against the last view and
// returns the transitions, so suspicions and refutations — for which memberlist has no event —
// are noticed too; the node calls it on every memberlist event and on a short tick.
import { NODE_STATE_NAMES, type Node } from '../memberlist/index.js';
import type { MemberEvent, MemberState } from '../channel/index.js';
import { decodeMeta, type NodeMeta } from './meta.js';

/** Decoded meta; `ours` is false for a non-gateway memberlist peer (a Go or Serf node). */
export type MemberMeta = NodeMeta & { ours: boolean };

export interface Member {
  name: string;
  address: string;
  state: MemberState;
  meta: MemberMeta;
  /** Monotonic ms when it last became alive (undefined while not alive). */
  aliveSince: number | undefined;
  /** Wall-clock ms it was last known alive. */
  lastSeen: number;
}

export class Members {
  readonly byName = new Map<string, Member>();

  constructor(private readonly self: string, private readonly settleMs: number) {}

  /** Applies memberlist's current table; returns the changes of other members' states. */
  refresh(nodes: readonly Node[], now: { mono: number; wall: number }): MemberEvent[] {
    const events: MemberEvent[] = [];
    const seen = new Set<string>();
    for (const n of nodes) {
      seen.add(n.name);
      const state = NODE_STATE_NAMES[n.state] as MemberState;
      const prev = this.byName.get(n.name);
      const meta = decodeMeta(n.meta);
      const address = n.addr.includes(':') ? `[${n.addr}]:${n.port}` : `${n.addr}:${n.port}`;
      if (!prev) {
        this.byName.set(n.name, {
          name: n.name, address, state, meta,
          aliveSince: state === 'alive' ? now.mono : undefined, lastSeen: now.wall,
        });
        if (n.name !== this.self) events.push({ node: n.name, state });
        continue;
      }
      prev.meta = meta;
      prev.address = address;
      if (prev.state === 'alive') prev.lastSeen = now.wall;
      if (prev.state !== state) {
        prev.aliveSince = state === 'alive' ? now.mono : undefined;
        prev.state = state;
        if (n.name !== this.self) events.push({ node: n.name, state });
      }
    }
    // Reaped records (dead/left long enough) were reported when they died; forget them quietly.
    for (const name of [...this.byName.keys()]) if (!seen.has(name)) this.byName.delete(name);
    return events;
  }

  settled(m: Member, mono: number): boolean {
    return m.state === 'alive' && m.aliveSince !== undefined && mono - m.aliveSince >= this.settleMs;
  }

  /** Monotonic time at which the next unsettled alive member settles, if any. */
  nextSettle(mono: number): number | undefined {
    let next: number | undefined;
    for (const m of this.byName.values()) {
      if (m.state !== 'alive' || m.aliveSince === undefined || this.settled(m, mono)) continue;
      const at = m.aliveSince + this.settleMs;
      if (next === undefined || at < next) next = at;
    }
    return next;
  }
}

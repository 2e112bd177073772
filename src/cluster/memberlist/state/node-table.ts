// The SWIM membership state machine: applies alive, suspect and dead messages to the node table
// with memberlist's incarnation rules (strictly newer for others; refute anything about ourselves
// that differs), runs Lifeguard suspicion timers, and re-broadcasts every accepted change. It does
// no I/O: broadcasting and events go through the callbacks it is given.
import type { Logger, Random } from '../../../core/ports.js';
import type { Alive, Dead, Suspect } from '../wire/messages.js';
import type { TimerClock } from '../clock.js';
import type { Awareness } from '../awareness/awareness.js';
import { Suspicion, suspicionTimeout } from '../suspicion/suspicion.js';
import type { AliveDelegate, ConflictDelegate, EventDelegate } from '../delegate.js';
import { bytesEqual, isDeadOrLeft, NodeStateType, toNode, type NodeRecord } from './node.js';

export type StateBroadcast =
  | { type: 'alive'; body: Alive }
  | { type: 'suspect'; body: Suspect }
  | { type: 'dead'; body: Dead };

export interface NodeTableOptions {
  name: string;
  clock: TimerClock;
  random: Random;
  logger: Logger;
  awareness: Awareness;
  suspicionMult: number;
  suspicionMaxTimeoutMult: number;
  probeIntervalMs: number;
  deadNodeReclaimTimeMs: number;
  /** Queue a message about node `msg.body.Node` for gossip; `finished` fires when it is retired. */
  broadcast(msg: StateBroadcast, finished?: () => void): void;
  events?: EventDelegate | undefined;
  aliveDelegate?: AliveDelegate | undefined;
  conflictDelegate?: ConflictDelegate | undefined;
  isLeaving(): boolean;
}

export class NodeTable {
  readonly nodeMap = new Map<string, NodeRecord>();
  /** Probe order; new nodes are inserted at a random position. */
  nodes: NodeRecord[] = [];
  private readonly timers = new Map<string, Suspicion>();
  private incarnation = 0;

  constructor(private readonly o: NodeTableOptions) {}

  get self(): NodeRecord | undefined {
    return this.nodeMap.get(this.o.name);
  }

  /** Estimated cluster size: every record, dead ones included, as Go counts it. */
  numNodes(): number {
    return this.nodes.length;
  }

  nextIncarnation(): number {
    this.incarnation = (this.incarnation + 1) >>> 0;
    return this.incarnation;
  }

  /** True if any node other than us is alive or suspect. */
  anyAlive(): boolean {
    return this.nodes.some((n) => n.name !== this.o.name && !isDeadOrLeft(n));
  }

  aliveNode(a: Alive, options: { bootstrap?: boolean; finished?: () => void } = {}): void {
    const isSelf = a.Node === this.o.name;
    if (this.o.isLeaving() && isSelf) return;
    const vsn = a.Vsn ?? new Uint8Array(0);
    if (vsn.length >= 3 && (vsn[0] === 0 || vsn[1] === 0 || vsn[0]! > vsn[1]!)) {
      this.o.logger.warn({ node: a.Node }, 'memberlist: ignoring alive with invalid protocol versions');
      return;
    }
    const candidate: NodeRecord = {
      name: a.Node, addr: a.Addr, port: a.Port, meta: a.Meta ?? new Uint8Array(0),
      vsn: vsn.length >= 6 ? vsn.slice(0, 6) : new Uint8Array(6), incarnation: a.Incarnation,
      state: NodeStateType.alive, stateChange: 0,
    };
    if (this.o.aliveDelegate) {
      const err = this.o.aliveDelegate.notifyAlive(toNode(candidate));
      if (err) { this.o.logger.warn({ node: a.Node, err }, 'memberlist: alive rejected by delegate'); return; }
    }
    let state = this.nodeMap.get(a.Node);
    let updatesNode = false;
    if (!state) {
      state = { ...candidate, incarnation: 0, state: NodeStateType.dead, stateChange: this.o.clock.monotonic() };
      this.nodeMap.set(a.Node, state);
      const at = Math.floor(this.o.random.next() * (this.nodes.length + 1));
      this.nodes.push(state);
      const moved = this.nodes[at]!;
      this.nodes[at] = state;
      this.nodes[this.nodes.length - 1] = moved;
    } else if (!bytesEqual(state.addr, a.Addr) || state.port !== a.Port) {
      const reclaim = this.o.deadNodeReclaimTimeMs > 0
        && this.o.clock.monotonic() - state.stateChange > this.o.deadNodeReclaimTimeMs;
      if (state.state === NodeStateType.left || (state.state === NodeStateType.dead && reclaim)) {
        updatesNode = true;
      } else {
        this.o.logger.warn({ node: a.Node }, 'memberlist: conflicting address for node');
        this.o.conflictDelegate?.notifyConflict(toNode(state), toNode(candidate));
        return;
      }
    }
    if (a.Incarnation <= state.incarnation && !isSelf && !updatesNode) return;
    if (a.Incarnation < state.incarnation && isSelf) return;
    this.cancelSuspicion(a.Node);
    const oldState = state.state;
    const oldMeta = state.meta;
    if (!options.bootstrap && isSelf) {
      if (a.Incarnation === state.incarnation && bytesEqual(a.Meta, state.meta) && bytesEqual(vsn, state.vsn)) return;
      this.refute(state, a.Incarnation);
      return;
    }
    this.o.broadcast({ type: 'alive', body: a }, options.finished);
    if (vsn.length >= 6) state.vsn = vsn.slice(0, 6);
    state.incarnation = a.Incarnation;
    state.meta = candidate.meta;
    state.addr = a.Addr;
    state.port = a.Port;
    if (state.state !== NodeStateType.alive) {
      state.state = NodeStateType.alive;
      state.stateChange = this.o.clock.monotonic();
    }
    if (isSelf && a.Incarnation > this.incarnation) this.incarnation = a.Incarnation;
    if (oldState === NodeStateType.dead || oldState === NodeStateType.left) this.o.events?.notifyJoin?.(toNode(state));
    else if (!bytesEqual(oldMeta, state.meta)) this.o.events?.notifyUpdate?.(toNode(state));
  }

  suspectNode(s: Suspect): void {
    const state = this.nodeMap.get(s.Node);
    if (!state || s.Incarnation < state.incarnation) return;
    const timer = this.timers.get(s.Node);
    if (timer) {
      if (timer.confirm(s.From)) this.o.broadcast({ type: 'suspect', body: s });
      return;
    }
    if (state.state !== NodeStateType.alive) return;
    if (state.name === this.o.name) {
      this.refute(state, s.Incarnation);
      this.o.logger.warn({ from: s.From }, 'memberlist: refuting a suspect message');
      return;
    }
    this.o.broadcast({ type: 'suspect', body: s });
    state.incarnation = s.Incarnation;
    state.state = NodeStateType.suspect;
    const changeTime = this.o.clock.monotonic();
    state.stateChange = changeTime;
    const n = this.numNodes();
    let k = this.o.suspicionMult - 2;
    if (n - 2 < k) k = 0;
    const minMs = suspicionTimeout(this.o.suspicionMult, n, this.o.probeIntervalMs);
    const maxMs = this.o.suspicionMaxTimeoutMult * minMs;
    this.timers.set(s.Node, new Suspicion(this.o.clock, s.From, {
      k, minMs, maxMs,
      onTimeout: (confirmations) => {
        const cur = this.nodeMap.get(s.Node);
        if (!cur || cur.state !== NodeStateType.suspect || cur.stateChange !== changeTime) return;
        this.o.logger.info({ node: s.Node, confirmations }, 'memberlist: marking node as failed, suspect timeout reached');
        this.deadNode({ Incarnation: cur.incarnation, Node: cur.name, From: this.o.name });
      },
    }));
  }

  deadNode(d: Dead, finished?: () => void): void {
    const state = this.nodeMap.get(d.Node);
    if (!state || d.Incarnation < state.incarnation) return;
    this.cancelSuspicion(d.Node);
    if (isDeadOrLeft(state)) return;
    if (state.name === this.o.name) {
      if (!this.o.isLeaving()) { this.refute(state, d.Incarnation); return; }
      this.o.broadcast({ type: 'dead', body: d }, finished);
    } else {
      this.o.broadcast({ type: 'dead', body: d });
    }
    state.incarnation = d.Incarnation;
    state.state = d.Node === d.From ? NodeStateType.left : NodeStateType.dead;
    state.stateChange = this.o.clock.monotonic();
    this.o.events?.notifyLeave?.(toNode(state));
  }

  /** Removes dead/left nodes older than `gossipToTheDeadMs` and reshuffles the probe order. */
  reap(gossipToTheDeadMs: number): void {
    const now = this.o.clock.monotonic();
    const keep: NodeRecord[] = [];
    for (const n of this.nodes) {
      if (isDeadOrLeft(n) && now - n.stateChange > gossipToTheDeadMs) this.nodeMap.delete(n.name);
      else keep.push(n);
    }
    for (let i = keep.length - 1; i > 0; i--) {
      const j = Math.floor(this.o.random.next() * (i + 1));
      [keep[i], keep[j]] = [keep[j]!, keep[i]!];
    }
    this.nodes = keep;
  }

  shutdown(): void {
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
  }

  private refute(me: NodeRecord, accused: number): void {
    let inc = this.nextIncarnation();
    if (accused >= inc) {
      this.incarnation = (accused + 1) >>> 0;
      inc = this.incarnation;
    }
    me.incarnation = inc;
    this.o.awareness.applyDelta(1);
    this.o.broadcast({ type: 'alive', body: {
      Incarnation: inc, Node: me.name, Addr: me.addr, Port: me.port, Meta: me.meta, Vsn: me.vsn,
    } });
  }

  private cancelSuspicion(name: string): void {
    const t = this.timers.get(name);
    if (t) { t.cancel(); this.timers.delete(name); }
  }
}

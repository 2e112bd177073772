// The gateway's gossip node: one memberlist member per replica, bound on `gossip.port` (TCP+UDP),
// named `node_id` or `<hostname>-<port>`, gossiping its region, HTTP address, version and draining
// flag as meta. It joins `peers` (and `dns` discovery names) with retries while alone, keeps gossip
// inside `allowed_address_space`, encrypts with `gossip.encryption_key`, elects leaders by name,
// and implements the ClusterChannel the cluster features (shared counters, config sync) use.
// `leave()` gossips a graceful leave so peers see `left`, not `dead`.
import { lookup } from 'node:dns/promises';
import { hostname as osHostname, networkInterfaces } from 'node:os';
import { isIP } from 'node:net';
import { silentLogger, systemRandom, type Logger } from '../../core/ports.js';
import type { ClusterChannel, MemberEvent, StateProvider } from '../channel/index.js';
import {
  createMemberlist, createNetTransport, defaultLanConfig, FilteredTransport, systemTimerClock,
  type Memberlist, type Node, type TimerClock, type TimerHandle, type TransportCounts,
} from '../memberlist/index.js';
import { addressFilter, type AddressFilter } from './address-space.js';
import { electLeaders, sameLeaders, type Leaders } from './leader.js';
import { Members, type Member } from './members.js';
import { encodeMeta, UNKNOWN_REGION, type NodeMeta } from './meta.js';
import type { ClusterHealth, ClusterNodeOptions, ClusterStatus, LeaderChange, MemberStatus } from './settings.js';
import { DEFAULT_THRESHOLDS, memberlistTimings, settleMs, type GossipThresholds } from './thresholds.js';
import { Topics } from './topics.js';

/** A frame larger than this cannot ride a gossip packet; it goes to each member over TCP instead. */
const MAX_GOSSIP_FRAME = 1_100;
const DROP_WARNING_EVERY_MS = 60_000;

export async function startClusterNode(options: ClusterNodeOptions): Promise<ClusterNode> {
  const node = new ClusterNode(options);
  await node.start();
  return node;
}

export class ClusterNode implements ClusterChannel {
  readonly self: string;
  readonly region: string;
  readonly thresholds: GossipThresholds;
  private readonly logger: Logger;
  private readonly clock: TimerClock;
  private readonly allow: AddressFilter | undefined;
  private readonly members: Members;
  private readonly topics: Topics;
  private readonly membershipListeners = new Set<(e: MemberEvent) => void>();
  private readonly leaderListeners = new Set<(e: LeaderChange) => void>();
  private meta: NodeMeta;
  private ml: Memberlist | undefined;
  private transport: FilteredTransport | undefined;
  private leaders: Leaders = { leader: undefined, regional: {} };
  private health: ClusterHealth | undefined;
  private tick: TimerHandle | undefined;
  private retry: TimerHandle | undefined;
  private retryMs: number;
  private joinTargets = 0;
  private refused = 0;
  private dropsWarned: Record<string, number> = {};
  private dropsWarnedAt = -Infinity;
  private stopped = false;

  constructor(private readonly options: ClusterNodeOptions) {
    const c = options.cluster;
    this.thresholds = { ...DEFAULT_THRESHOLDS, ...(c.gossip?.config ?? {}) };
    this.logger = options.logger ?? silentLogger;
    this.clock = options.clock ?? systemTimerClock();
    const port = c.gossip?.port ?? 7946;
    this.self = c.node_id ?? `${options.hostname ?? osHostname()}-${port}`;
    this.region = c.region || UNKNOWN_REGION;
    this.allow = addressFilter(c.discovery?.allowed_address_space ?? []);
    this.members = new Members(this.self, settleMs(this.thresholds));
    this.topics = new Topics(this.self, this.logger, () => this.ml?.numMembers() ?? 1);
    this.meta = { region: this.region, http: options.httpAddress, version: options.version.slice(0, 64), draining: false };
    encodeMeta(this.meta);
    this.retryMs = options.joinRetry?.initialMs ?? 1_000;
  }

  /** @internal Binds, joins (one attempt, then retries in the background while alone). */
  async start(): Promise<void> {
    const c = this.options.cluster;
    const key = c.gossip?.encryption_key;
    const inner = this.options.transport ?? await createNetTransport({
      bindAddr: this.options.bindAddress ?? '0.0.0.0', bindPort: c.gossip?.port ?? 7946, logger: this.logger,
      ...(this.options.advertiseAddress ? { advertiseAddr: this.options.advertiseAddress } : {}),
    });
    this.transport = new FilteredTransport(inner, this.allow);
    // A gateway listening on a wildcard is reached at the address gossip advertises.
    const http = /^(?:0\.0\.0\.0|\[?::\]?|):(\d+)$/.exec(this.meta.http);
    if (http) {
      const host = inner.advertise.host;
      this.meta = { ...this.meta, http: `${host.includes(':') ? `[${host}]` : host}:${http[1]}` };
    }
    const config = defaultLanConfig({
      name: this.self, bindAddr: this.options.bindAddress ?? '0.0.0.0', bindPort: inner.advertise.port,
      keys: key ? [new Uint8Array(Buffer.from(key, 'base64'))] : [],
      ...memberlistTimings(this.thresholds), ...(this.options.memberlist ?? {}),
    });
    const onEvent = (): void => { queueMicrotask(() => this.refresh()); };
    this.ml = await createMemberlist(config, {
      transport: this.transport, clock: this.clock, random: this.options.random ?? systemRandom, logger: this.logger,
      delegate: this.topics.delegate(() => encodeMeta(this.meta)),
      events: { notifyJoin: onEvent, notifyLeave: onEvent, notifyUpdate: onEvent },
      aliveDelegate: {
        // Members outside the allowed address space are never admitted, so never probed or gossiped to.
        notifyAlive: (n) => (n.name !== this.self && this.allow && !this.allow(n.addr)
          ? (this.refused++, `address ${n.addr} is outside allowed_address_space`) : undefined),
      },
    });
    this.refresh();
    this.scheduleTick();
    await this.joinOnce();
  }

  get address(): string {
    const n = this.ml!.localNode;
    return `${n.addr}:${n.port}`;
  }

  // ---- ClusterChannel ----

  /**
   * A small frame goes at once to every live member as one UDP packet each (a usage-counter delta
   * must not wait for the next gossip round, 200 ms apart: replicas would admit on stale sums for
   * that long), and also rides gossip for whoever the packet missed; duplicates are harmless to
   * every topic (idempotent merges, deduplicated notices). A larger one goes to each member over TCP.
   */
  broadcast(topic: string, payload: Uint8Array): void {
    const frame = this.topics.frame(topic, payload);
    const ml = this.ml;
    if (frame.length <= MAX_GOSSIP_FRAME) {
      this.topics.enqueue(frame);
      if (!ml || this.stopped) return;
      for (const n of ml.members()) {
        if (n.name === this.self) continue;
        this.topics.sent++;
        ml.sendBestEffort(n, frame);
      }
      return;
    }
    if (!ml || this.stopped) return;
    for (const n of ml.members()) {
      if (n.name === this.self) continue;
      this.topics.sent++;
      ml.sendReliable(n, frame).catch((e: unknown) => this.logger.debug({ node: n.name, err: String(e) }, 'cluster: reliable send failed'));
    }
  }

  on(topic: string, handler: (from: string, payload: Uint8Array) => void): () => void {
    return this.topics.on(topic, handler);
  }

  state(topic: string, provider: StateProvider): () => void {
    return this.topics.state(topic, provider);
  }

  /** Members alive or suspect (memberlist's live members: a suspect may well be alive), this node included. */
  alive(): readonly string[] {
    return this.ml ? this.ml.members().map((n) => n.name) : [this.self];
  }

  onMembership(listener: (event: MemberEvent) => void): () => void {
    this.membershipListeners.add(listener);
    return () => { this.membershipListeners.delete(listener); };
  }

  // ---- leaders ----

  leader(): string | undefined {
    return this.leaders.leader;
  }

  regionalLeader(region: string = this.region): string | undefined {
    return this.leaders.regional[region];
  }

  isLeader(): boolean {
    return this.leaders.leader === this.self;
  }

  isRegionalLeader(): boolean {
    return this.leaders.regional[this.region] === this.self;
  }

  onLeaderChange(listener: (e: LeaderChange) => void): () => void {
    this.leaderListeners.add(listener);
    return () => { this.leaderListeners.delete(listener); };
  }

  // ---- draining, status, counters ----

  /** Gossips the draining flag (e.g. from SIGTERM until the process leaves). */
  async setDraining(draining: boolean, timeoutMs = 5_000): Promise<void> {
    if (this.meta.draining === draining || !this.ml || this.stopped) return;
    this.meta = { ...this.meta, draining };
    await this.ml.updateNode(timeoutMs).catch((e: unknown) => this.logger.warn({ err: String(e) }, 'cluster: draining flag not yet gossiped'));
    this.refresh();
  }

  /**
   * Exchanges full state with every live member now. The join's own exchange ran before features
   * registered their state (the shared counters are built after the node starts), so a restarted
   * replica would otherwise wait for the next periodic push/pull (30 s) to learn its window's usage.
   */
  async syncState(): Promise<void> {
    if (!this.ml || this.stopped) return;
    await this.ml.pushPullAll();
  }

  /** Gossips the HTTP address once it is known (a gateway started on port 0 learns it at listen). */
  async setHttpAddress(http: string, timeoutMs = 5_000): Promise<void> {
    if (this.meta.http === http || !this.ml || this.stopped) return;
    this.meta = { ...this.meta, http };
    await this.ml.updateNode(timeoutMs).catch((e: unknown) => this.logger.warn({ err: String(e) }, 'cluster: HTTP address not yet gossiped'));
    this.refresh();
  }

  status(): ClusterStatus {
    this.refresh();
    const mono = this.clock.monotonic();
    const members = [...this.members.byName.values()].map((m) => this.memberStatus(m, mono))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const me = members.find((m) => m.name === this.self)!;
    return {
      node: { ...me, is_leader: this.isLeader() },
      members,
      member_count: members.filter((m) => m.state === 'alive' || m.state === 'suspect').length,
      healthy_members: members.filter((m) => m.healthy).length,
      cluster_health: this.health ?? 'DEGRADED',
      leader: this.leaders.leader ?? null,
      regional_leaders: { ...this.leaders.regional },
    };
  }

  /** Raw counters for metrics. */
  counters(): {
    members: Record<string, number>; transport: TransportCounts; appSent: number; appReceived: number;
    drops: Record<string, number>;
  } {
    const byState: Record<string, number> = { alive: 0, suspect: 0, dead: 0, left: 0 };
    for (const m of this.members.byName.values()) byState[m.state] = (byState[m.state] ?? 0) + 1;
    const t = this.transport?.stats() ?? {
      packetsSent: 0, packetsReceived: 0, streamsDialed: 0, streamsAccepted: 0, packetsRefused: 0, streamsRefused: 0,
    };
    const drops: Record<string, number> = {
      bad_packet: 0, wrong_key: 0, wrong_label: 0,
      outside_address_space: t.packetsRefused + t.streamsRefused + this.refused,
    };
    for (const [reason, n] of Object.entries(this.ml?.dropCounts() ?? {})) {
      const bucket = dropBucket(reason);
      drops[bucket] = (drops[bucket] ?? 0) + n;
    }
    for (const [reason, n] of this.topics.drops) drops[reason] = (drops[reason] ?? 0) + n;
    return { members: byState, transport: t, appSent: this.topics.sent, appReceived: this.topics.received, drops };
  }

  // ---- lifecycle ----

  /** Gossips a graceful leave (peers see `left`), then shuts down. */
  async leave(timeoutMs = 5_000): Promise<void> {
    if (this.stopped || !this.ml) return;
    // The last member has nobody to tell (and would wait the whole timeout for a confirmation).
    if (this.alive().length <= 1) {
      await this.shutdown();
      return;
    }
    this.stopTimers();
    try {
      await this.ml.leave(timeoutMs);
      this.logger.info({ node: this.self }, 'cluster: left the cluster');
    } catch (e) {
      this.logger.warn({ err: String(e) }, 'cluster: leave not confirmed before the timeout');
    }
    await this.shutdown();
  }

  /** Stops without a leave message (peers will detect this node as dead). */
  async shutdown(): Promise<void> {
    this.stopTimers();
    this.stopped = true;
    await this.ml?.shutdown();
  }

  private stopTimers(): void {
    this.tick?.cancel();
    this.retry?.cancel();
  }

  private scheduleTick(): void {
    const every = Math.max(10, Math.round(memberlistTimings(this.thresholds).probeIntervalMs / 2));
    this.tick = this.clock.setTimer(() => {
      if (this.stopped) return;
      this.refresh();
      this.warnDrops();
      this.scheduleTick();
    }, every);
  }

  /**
   * Dropped gossip (bad packets, wrong key or label, outside allowed_address_space, messages that
   * are not ours) is counted in metrics on every drop, and said in the log at most once a minute
   * with what was dropped since the last warning: a flood of garbage must not flood the log too.
   */
  private warnDrops(): void {
    const now = this.clock.monotonic();
    if (now - this.dropsWarnedAt < DROP_WARNING_EVERY_MS) return;
    const drops = this.counters().drops;
    const since: Record<string, number> = {};
    for (const [reason, n] of Object.entries(drops)) {
      const delta = n - (this.dropsWarned[reason] ?? 0);
      if (delta > 0) since[reason] = delta;
    }
    if (Object.keys(since).length === 0) return;
    this.dropsWarned = drops;
    this.dropsWarnedAt = now;
    this.logger.warn({ dropped: since }, 'cluster: gossip messages dropped');
  }

  private refresh(): void {
    const ml = this.ml;
    if (!ml || this.stopped) return;
    const mono = this.clock.monotonic();
    const events = this.members.refresh(ml.allNodes(), { mono, wall: this.clock.now() });
    for (const e of events) {
      if (e.state === 'suspect') this.logger.warn({ node: e.node }, 'node marked as suspect');
      else if (e.state === 'dead') this.logger.warn({ node: e.node }, 'node marked as dead');
      else if (e.state === 'left') this.logger.info({ node: e.node }, 'node left the cluster');
      else this.logger.info({ node: e.node }, 'node joined the cluster');
      for (const l of this.membershipListeners) {
        try { l(e); } catch (err) { this.logger.warn({ err: String(err) }, 'cluster: membership listener failed'); }
      }
    }
    this.reelect(mono);
    this.reassess();
  }

  private reelect(mono: number): void {
    const next = electLeaders([...this.members.byName.values()].map((m) => ({
      // Only gateway replicas lead: a plain memberlist peer (meta not ours) cannot run leader tasks.
      name: m.name, region: m.meta.region, eligible: m.meta.ours && this.members.settled(m, mono),
    })));
    if (sameLeaders(next, this.leaders)) return;
    const previous = this.leaders.leader;
    this.leaders = next;
    if (previous !== next.leader) this.logger.info({ leader: next.leader ?? null, previous: previous ?? null }, 'cluster: leader changed');
    const change: LeaderChange = { leader: next.leader, previous, regional: { ...next.regional }, isLeader: next.leader === this.self };
    for (const l of this.leaderListeners) {
      try { l(change); } catch (err) { this.logger.warn({ err: String(err) }, 'cluster: leader listener failed'); }
    }
  }

  /** HEALTHY: no member suspect or dead, and not cut off from every configured peer. */
  private reassess(): void {
    const all = [...this.members.byName.values()];
    const troubled = all.some((m) => m.state === 'suspect' || m.state === 'dead');
    const isolated = this.joinTargets > 0 && all.filter((m) => m.state === 'alive' || m.state === 'suspect').length <= 1;
    const health: ClusterHealth = troubled || isolated ? 'DEGRADED' : 'HEALTHY';
    if (health === this.health) return;
    this.health = health;
    const counts = { members: all.filter((m) => m.state === 'alive').length, suspect: all.filter((m) => m.state === 'suspect').length };
    if (health === 'HEALTHY') this.logger.info(counts, 'cluster health: HEALTHY');
    else this.logger.warn(counts, 'cluster health: DEGRADED');
  }

  private memberStatus(m: Member, mono: number): MemberStatus {
    return {
      name: m.name, address: m.address, state: m.state, region: m.meta.region, http_address: m.meta.http,
      version: m.meta.version, draining: m.meta.draining, healthy: this.members.settled(m, mono),
      last_seen: new Date(m.state === 'alive' ? this.clock.now() : m.lastSeen).toISOString(),
    };
  }

  // ---- joining ----

  /** One join round over the configured peers and DNS discovery names; schedules retries while alone. */
  private async joinOnce(): Promise<void> {
    if (this.stopped || !this.ml) return;
    const targets = await this.joinAddresses();
    this.joinTargets = targets.length;
    if (targets.length > 0 && this.ml.numMembers() <= 1) {
      try {
        const n = await this.ml.join(targets);
        this.logger.info({ peers: n, of: targets.length }, `successfully joined ${n} peers`);
        this.retryMs = this.options.joinRetry?.initialMs ?? 1_000;
      } catch (e) {
        this.logger.warn({ err: e instanceof Error ? e.message : String(e), retry_in_ms: this.retryMs }, 'failed to join cluster');
        this.retryMs = Math.min(this.retryMs * 2, this.options.joinRetry?.maxMs ?? 30_000);
      }
      this.refresh();
    }
    if (this.stopped) return;
    // Keep trying while alone: peers may start later, or a partition may heal.
    this.retry = this.clock.setTimer(() => { void this.joinOnce(); }, this.retryMs);
  }

  /** ip:port of every peer and discovered name, minus ourselves and addresses outside the allowed space. */
  private async joinAddresses(): Promise<string[]> {
    const c = this.options.cluster;
    const hostPorts = [...(c.peers ?? [])];
    const d = c.discovery;
    if (d?.enabled && d.type === 'dns') {
      for (const name of d.dns_names ?? []) hostPorts.push(`${name}:${d.bind_port ?? c.gossip?.port ?? 7946}`);
    } else if (d?.enabled && d.type && !this.warnedDiscovery) {
      this.warnedDiscovery = true;
      this.logger.warn({ type: d.type }, 'cluster: this discovery type is not implemented; only peers and dns discovery are used');
    }
    const out = new Set<string>();
    const own = this.ml!.localNode;
    const local = this.localAddresses(own.addr);
    for (const hp of hostPorts) {
      const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(hp);
      if (!m) continue;
      const [host, port] = [m[1]!, Number(m[2])];
      let ips: string[];
      try {
        ips = isIP(host) ? [host] : await (this.options.resolve ?? resolveAll)(host);
      } catch (e) {
        this.logger.warn({ peer: hp, err: String(e) }, 'cluster: cannot resolve peer');
        continue;
      }
      for (const ip of ips) {
        if (port === own.port && local.has(ip)) continue;
        if (this.allow && !this.allow(ip)) {
          this.refused++;
          this.logger.warn({ peer: hp, ip }, 'cluster: peer outside allowed_address_space, not joined');
          continue;
        }
        out.add(isIP(ip) === 6 ? `[${ip}]:${port}` : `${ip}:${port}`);
      }
    }
    return [...out];
  }

  private warnedDiscovery = false;

  /** Addresses that are this node: with a wildcard bind, every local interface. */
  private localAddresses(advertised: string): Set<string> {
    const out = new Set<string>([advertised]);
    const bind = this.options.bindAddress ?? '0.0.0.0';
    if (this.options.transport) return out;
    out.add(bind);
    if (bind === '0.0.0.0' || bind === '::' || bind === '') {
      for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) out.add(a.address);
    }
    return out;
  }
}

async function resolveAll(host: string): Promise<string[]> {
  return (await lookup(host, { all: true })).map((a) => a.address);
}

const BAD_PACKET = new Set([
  'truncated', 'too_large', 'malformed_msgpack', 'bad_field', 'unknown_type', 'bad_compound', 'truncated_compound',
  'bad_crc', 'decompress_failed', 'decompress_ratio', 'bad_algo', 'unexpected_message', 'malformed',
]);

/** memberlist's drop reasons folded into the metric's buckets (late acks, I/O and the like: "other"). */
function dropBucket(reason: string): string {
  if (reason === 'decrypt_failed' || reason === 'not_encrypted' || reason === 'bad_key') return 'wrong_key';
  if (reason === 'label_mismatch' || reason === 'bad_label') return 'wrong_label';
  return BAD_PACKET.has(reason) ? 'bad_packet' : 'other';
}

export type { Node };

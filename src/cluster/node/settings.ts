// What the gossip node needs from `cluster_config` — declared here, structurally, so src/cluster
// does not import src/config: the composition root passes the parsed block as it is. Also the
// node's public status shape (GET /api/cluster/status) and its events.
import type { Logger, Random } from '../../core/ports.js';
import type { MemberlistConfig, TimerClock, Transport } from '../memberlist/index.js';
import type { MemberState } from '../channel/index.js';
import type { GossipThresholds } from './thresholds.js';

export interface ClusterSettings {
  node_id?: string | undefined;
  region?: string | undefined;
  peers?: readonly string[] | undefined;
  gossip?: {
    port?: number | undefined;
    encryption_key?: string | undefined;
    config?: Partial<GossipThresholds> | undefined;
  } | undefined;
  discovery?: {
    enabled?: boolean | undefined;
    type?: string | undefined;
    bind_port?: number | undefined;
    dns_names?: readonly string[] | undefined;
    allowed_address_space?: readonly string[] | undefined;
  } | undefined;
}

export interface ClusterNodeOptions {
  /** The parsed `cluster_config` block. */
  cluster: ClusterSettings;
  /** Address to bind gossip (TCP+UDP) on; default 0.0.0.0. */
  bindAddress?: string;
  /** Address peers reach us at; default: the bind address, or the first non-internal IPv4 for a wildcard. */
  advertiseAddress?: string;
  /** host:port of this replica's HTTP server, gossiped in node meta; a wildcard host (0.0.0.0:8080) becomes the advertised gossip address. */
  httpAddress: string;
  /** Gateway version, gossiped in node meta. */
  version: string;
  logger?: Logger;
  /** Default os.hostname(); the node name is `node_id` or `<hostname>-<gossip port>`. */
  hostname?: string;
  /** Join retry backoff while no peer is reachable: doubles from initial to max (1 s → 30 s). */
  joinRetry?: { initialMs?: number; maxMs?: number };
  /** Resolves a peer host to IPs (default: DNS lookup, all addresses). */
  resolve?: (host: string) => Promise<string[]>;
  /** Tests: a transport (e.g. the in-memory network), a fake clock, seeded randomness, timing overrides. */
  transport?: Transport;
  clock?: TimerClock;
  random?: Random;
  memberlist?: Partial<MemberlistConfig>;
}

export type ClusterHealth = 'HEALTHY' | 'DEGRADED';

export interface MemberStatus {
  name: string;
  /** Gossip address ip:port. */
  address: string;
  state: MemberState;
  region: string;
  http_address: string;
  version: string;
  draining: boolean;
  /** Alive for success_threshold probe intervals (counts toward health and leadership). */
  healthy: boolean;
  /** When this node last knew it alive: now for alive members, else when it stopped being alive (ISO 8601). */
  last_seen: string;
}

export interface ClusterStatus {
  node: MemberStatus & { is_leader: boolean };
  members: MemberStatus[];
  member_count: number;
  healthy_members: number;
  cluster_health: ClusterHealth;
  leader: string | null;
  regional_leaders: Record<string, string>;
}

export interface LeaderChange {
  leader: string | undefined;
  previous: string | undefined;
  regional: Record<string, string>;
  isLeader: boolean;
}

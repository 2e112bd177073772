// Cluster wiring (issue #21): with `cluster_config.enabled`, this replica runs a gossip node
// (src/cluster/node) and shares with the others what must be shared: governance usage counters
// (src/cluster/counters, durable per-node slots in the config store), config-change notices (the
// config sync takes the node as its channel), the draining flag, its status on
// GET /api/cluster/status and bifrost_cluster_* metrics. Loaded only in cluster mode.
import { hostname as osHostname } from 'node:os';
import type { Registry } from 'prom-client';
import type { ClusterUsageCounters } from '../cluster/counters/index.js';
import type { ClusterNode } from '../cluster/node/index.js';
import { systemClock, type UsageCounters } from '../core/index.js';
import type { Database } from '../storage/database.js';
import { BIFROST_TS_VERSION } from '../storage/version.js';
import type { WiringContext } from './context.js';

export interface ClusterWiring {
  node: ClusterNode;
  /** Builds the shared counters once the governance store's tables exist (wireGovernance calls it). */
  counters(database: Database): Promise<UsageCounters>;
  /** Registers the cluster's metrics once the telemetry registry exists. */
  metrics(registry: Registry): void;
  /** The HTTP port is known only once listening (port 0). */
  listening(httpAddress: string): Promise<void>;
}

export async function wireCluster(w: WiringContext, http: { host: string; port: number }): Promise<ClusterWiring | undefined> {
  const cluster = w.loaded.config.cluster_config;
  if (!cluster?.enabled) return undefined;
  const [{ startClusterNode, registerClusterMetrics, registerPropagationHistogram }, { clusterRoutes }] = await Promise.all([
    import('../cluster/node/index.js'),
    import('../transports/http/cluster/index.js'),
  ]);
  const bindAddress = http.host === 'localhost' ? '127.0.0.1' : http.host;
  // Without node_id the name is `<hostname>-<gossip port>`; replicas bound to different addresses of
  // one host (127.0.0.1, .2, .3 in the local example) would share it, so the address joins the name.
  const wildcard = bindAddress === '0.0.0.0' || bindAddress === '::';
  const node = await startClusterNode({
    cluster, bindAddress, httpAddress: `${http.host}:${http.port}`, version: `v${BIFROST_TS_VERSION}`, logger: w.logger,
    ...(wildcard ? {} : { hostname: `${osHostname()}-${bindAddress}` }),
  });
  let shared: ClusterUsageCounters | undefined;
  let observePropagation: ((seconds: number) => void) | undefined;
  w.routes.push(clusterRoutes({ node, counterSyncLagMs: () => shared?.syncLagMs() }));
  w.onDrain.push(() => void node.setDraining(true));
  w.isLeader = () => node.isLeader();
  // Closers run in reverse: the counters' last delta and slot write, then the graceful leave, both
  // before the stores close (pushed earlier, so they run later).
  w.closers.push(() => node.leave());
  w.closers.push(async () => { await shared?.close(); });
  return {
    node,
    async counters(database) {
      const [{ ClusterUsageCounters }, { CounterSlotsStore }] = await Promise.all([
        import('../cluster/counters/index.js'),
        import('../storage/governance/index.js'),
      ]);
      shared = new ClusterUsageCounters({
        channel: node, clock: systemClock, store: new CounterSlotsStore(database), logger: w.logger,
        // Deltas go out within 5 ms: each delta is one small UDP packet per peer, and every ms a
        // replica keeps its count to itself is a ms the others admit on a stale sum.
        batchMs: 5,
        onPropagation: (seconds) => observePropagation?.(seconds),
      });
      await shared.restore();
      await node.syncState();
      shared.start();
      return shared;
    },
    metrics(registry) {
      registerClusterMetrics(registry, node);
      observePropagation = registerPropagationHistogram(registry);
    },
    listening: (httpAddress) => node.setHttpAddress(httpAddress),
  };
}

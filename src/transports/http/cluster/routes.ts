// `GET /api/cluster/status`: this replica's view of the cluster — itself, every member (gossip
// address, state, region, HTTP address, version, draining, healthy, last seen), healthy_members,
// cluster_health (HEALTHY/DEGRADED), the leader and each region's leader, and counter_sync_lag_ms
// from the shared-counters feature when it supplies one (null otherwise). Under /api/*, so the
// door's admin access guard applies.
// The transport does not import the cluster layer (transports see core and plugins' public
// surface only): the status is passed through as the node reports it.
import type { FastifyInstance } from 'fastify';

export interface ClusterRoutesOptions {
  /** The gossip node (or anything that reports a status as a JSON object). */
  node: { status(): object };
  /** How far behind the shared usage counters are, in ms; undefined when not known. */
  counterSyncLagMs?: () => number | undefined;
}

export function clusterRoutes(options: ClusterRoutesOptions): (app: FastifyInstance) => void {
  return (app) => {
    app.get('/api/cluster/status', async (_request, reply) => {
      const lag = options.counterSyncLagMs?.();
      return reply.send({
        enabled: true,
        ...options.node.status(),
        counter_sync_lag_ms: typeof lag === 'number' && Number.isFinite(lag) ? Math.max(0, Math.round(lag)) : null,
      });
    });
  };
}

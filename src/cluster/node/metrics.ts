// The cluster's Prometheus families, registered into a registry the caller gives (the telemetry
// plugin's, so /metrics and the push gateway carry them). Values are read from the node at scrape
// time (collect), so the gossip path never touches prom-client.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ClusterNode } from './cluster-node.js';

/** Registers bifrost_cluster_* into `registry`; returns a function that removes them again. */
export function registerClusterMetrics(registry: Registry, node: ClusterNode): () => void {
  const names: string[] = [];
  const track = <T>(name: string, metric: T): T => { names.push(name); return metric; };
  track('bifrost_cluster_members', new Gauge({
    name: 'bifrost_cluster_members', help: 'Cluster members known to this node, by state (alive, suspect, dead, left).',
    labelNames: ['state'], registers: [registry],
    collect() {
      for (const [state, n] of Object.entries(node.counters().members)) this.set({ state }, n);
    },
  }));
  track('bifrost_cluster_healthy', new Gauge({
    name: 'bifrost_cluster_healthy', help: '1 when this node sees the cluster HEALTHY, 0 when DEGRADED.', registers: [registry],
    collect() { this.set(node.status().cluster_health === 'HEALTHY' ? 1 : 0); },
  }));
  track('bifrost_cluster_is_leader', new Gauge({
    name: 'bifrost_cluster_is_leader', help: '1 when this node is the cluster leader.', registers: [registry],
    collect() { this.set(node.isLeader() ? 1 : 0); },
  }));
  // Counters mirror the node's monotonic counts: reset and re-set at each scrape.
  const mirror = (name: string, help: string, read: () => Record<string, number>, label: string): void => {
    track(name, new Counter({
      name, help, labelNames: [label], registers: [registry],
      collect() {
        this.reset();
        for (const [value, n] of Object.entries(read())) this.inc({ [label]: value }, n);
      },
    }));
  };
  mirror('bifrost_cluster_gossip_messages_sent_total',
    'Gossip traffic sent: UDP packets, TCP streams dialed, and cluster-channel messages (app).',
    () => { const c = node.counters(); return { packet: c.transport.packetsSent, stream: c.transport.streamsDialed, app: c.appSent }; }, 'kind');
  mirror('bifrost_cluster_gossip_messages_received_total',
    'Gossip traffic received: UDP packets, TCP streams accepted, and cluster-channel messages (app).',
    () => { const c = node.counters(); return { packet: c.transport.packetsReceived, stream: c.transport.streamsAccepted, app: c.appReceived }; }, 'kind');
  mirror('bifrost_cluster_gossip_drops_total',
    'Gossip input dropped, by reason (bad_packet, wrong_key, wrong_label, outside_address_space, undecodable_message, unknown_topic, ...).',
    () => node.counters().drops, 'reason');
  return () => { for (const n of names) registry.removeSingleMetric(n); };
}

/**
 * bifrost_cluster_counter_propagation_seconds: how long a usage-counter delta took from the node that
 * counted it to this one (wall clocks; NTP-synced nodes needed for exact figures). Returns the
 * observer to hand to the counters.
 */
export function registerPropagationHistogram(registry: Registry): (seconds: number) => void {
  const histogram = new Histogram({
    name: 'bifrost_cluster_counter_propagation_seconds',
    help: 'Delay from a usage-counter change on one replica to its arrival on this one.',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  return (seconds) => histogram.observe(Math.max(0, seconds));
}

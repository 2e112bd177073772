// Public surface of the gateway's gossip node: start it from `cluster_config`, read its status and
// leaders, register its Prometheus metrics, and the thresholds mapping (documented in thresholds.ts).
export { startClusterNode, ClusterNode } from './cluster-node.js';
export type { ClusterNodeOptions, ClusterSettings, ClusterStatus, ClusterHealth, MemberStatus, LeaderChange } from './settings.js';
export { memberlistTimings, settleMs, DEFAULT_THRESHOLDS, type GossipThresholds } from './thresholds.js';
export { electLeaders, type Leaders, type Candidate } from './leader.js';
export { registerClusterMetrics, registerPropagationHistogram } from './metrics.js';

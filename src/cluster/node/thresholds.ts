// How Bifrost's three gossip knobs (`gossip.config.timeout_seconds`, `failure_threshold`,
// `success_threshold`) drive SWIM. Bifrost names them like Kubernetes probe settings; memberlist
// has no such knobs, so they are mapped onto the ones it has. The mapping is chosen so that the
// Helm defaults (10 / 3 / 3) give memberlist's LAN timings, which Go peers use too:
//
// - timeout_seconds (T) scales all SWIM timing: probe interval T/10 s, probe (ack) timeout T/20 s,
//   TCP timeout (push/pull, reliable messages, join dials) T s. T = 10 → 1 s / 500 ms / 10 s.
// - failure_threshold (F) is the suspicion multiplier: a member that misses a probe (direct,
//   indirect and TCP) is suspect, and is declared dead after F × max(1, log10 n) probe intervals
//   unless it refutes. When other members are expected to confirm (Lifeguard, clusters larger than
//   F nodes), the suspicion starts at 6× that and shrinks to it as confirmations arrive.
// - success_threshold (S) damps flapping at the gateway level: a member (this node included) that
//   joins, rejoins or refutes a suspicion counts as healthy — in healthy_members, cluster health
//   and leader election — only after S probe intervals of staying alive.
import type { MemberlistConfig } from '../memberlist/index.js';

export interface GossipThresholds {
  timeout_seconds: number;
  success_threshold: number;
  failure_threshold: number;
}

export const DEFAULT_THRESHOLDS: GossipThresholds = { timeout_seconds: 10, success_threshold: 3, failure_threshold: 3 };

/** The memberlist settings the thresholds decide (everything else keeps the LAN preset). */
export function memberlistTimings(t: GossipThresholds): Pick<MemberlistConfig,
  'probeIntervalMs' | 'probeTimeoutMs' | 'tcpTimeoutMs' | 'suspicionMult'> {
  const ms = t.timeout_seconds * 1000;
  return {
    probeIntervalMs: Math.max(10, Math.round(ms / 10)),
    probeTimeoutMs: Math.max(5, Math.round(ms / 20)),
    tcpTimeoutMs: Math.max(100, Math.round(ms)),
    suspicionMult: t.failure_threshold,
  };
}

/** How long a member must stay alive before it counts as healthy (success_threshold probe intervals). */
export function settleMs(t: GossipThresholds): number {
  return t.success_threshold * memberlistTimings(t).probeIntervalMs;
}

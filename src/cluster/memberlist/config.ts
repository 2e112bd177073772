// Memberlist configuration and the three presets (LAN, WAN, Local) with exactly the values of
// HashiCorp memberlist's DefaultLANConfig/DefaultWANConfig/DefaultLocalConfig, so a node tuned like
// a Go peer behaves like one. Durations are milliseconds. Callers start from a preset and override.
import { hostname } from 'node:os';

export interface MemberlistConfig {
  /** Unique node name in the cluster (Go defaults to the hostname). */
  name: string;
  bindAddr: string;
  bindPort: number;
  /** Empty/0 means "use the transport's advertise address/port". */
  advertiseAddr: string;
  advertisePort: number;
  protocolVersion: number;
  /** Deadline of a whole TCP connection (push/pull, reliable user message). */
  tcpTimeoutMs: number;
  indirectChecks: number;
  retransmitMult: number;
  suspicionMult: number;
  suspicionMaxTimeoutMult: number;
  pushPullIntervalMs: number;
  probeIntervalMs: number;
  probeTimeoutMs: number;
  disableTcpPings: boolean;
  awarenessMaxMultiplier: number;
  gossipIntervalMs: number;
  gossipNodes: number;
  gossipToTheDeadTimeMs: number;
  gossipVerifyIncoming: boolean;
  gossipVerifyOutgoing: boolean;
  enableCompression: boolean;
  handoffQueueDepth: number;
  udpBufferSize: number;
  /** 0 means a dead node's name can never be reclaimed from another address. */
  deadNodeReclaimTimeMs: number;
  /** Primary key first; empty means no encryption. Keys are 16, 24 or 32 bytes. */
  keys: Uint8Array[];
  /** "" means no label header. */
  label: string;
  skipInboundLabelCheck: boolean;
  delegateProtocolVersion: number;
  delegateProtocolMin: number;
  delegateProtocolMax: number;
}

function base(): MemberlistConfig {
  return {
    name: hostname(),
    bindAddr: '0.0.0.0',
    bindPort: 7946,
    advertiseAddr: '',
    advertisePort: 7946,
    protocolVersion: 2,
    tcpTimeoutMs: 10_000,
    indirectChecks: 3,
    retransmitMult: 4,
    suspicionMult: 4,
    suspicionMaxTimeoutMult: 6,
    pushPullIntervalMs: 30_000,
    probeIntervalMs: 1_000,
    probeTimeoutMs: 500,
    disableTcpPings: false,
    awarenessMaxMultiplier: 8,
    gossipIntervalMs: 200,
    gossipNodes: 3,
    gossipToTheDeadTimeMs: 30_000,
    gossipVerifyIncoming: true,
    gossipVerifyOutgoing: true,
    enableCompression: true,
    handoffQueueDepth: 1024,
    udpBufferSize: 1400,
    deadNodeReclaimTimeMs: 0,
    keys: [],
    label: '',
    skipInboundLabelCheck: false,
    delegateProtocolVersion: 0,
    delegateProtocolMin: 0,
    delegateProtocolMax: 0,
  };
}

/** Go's DefaultLANConfig: tuned for a local network. */
export function defaultLanConfig(overrides: Partial<MemberlistConfig> = {}): MemberlistConfig {
  return { ...base(), ...overrides };
}

/** Go's DefaultWANConfig: slower probes and longer suspicion for high-latency links. */
export function defaultWanConfig(overrides: Partial<MemberlistConfig> = {}): MemberlistConfig {
  return {
    ...base(),
    tcpTimeoutMs: 30_000,
    suspicionMult: 6,
    pushPullIntervalMs: 60_000,
    probeTimeoutMs: 3_000,
    probeIntervalMs: 5_000,
    gossipNodes: 4,
    gossipIntervalMs: 500,
    gossipToTheDeadTimeMs: 60_000,
    ...overrides,
  };
}

/** Go's DefaultLocalConfig: loopback or a single host. */
export function defaultLocalConfig(overrides: Partial<MemberlistConfig> = {}): MemberlistConfig {
  return {
    ...base(),
    tcpTimeoutMs: 1_000,
    indirectChecks: 1,
    retransmitMult: 2,
    suspicionMult: 3,
    pushPullIntervalMs: 15_000,
    probeTimeoutMs: 200,
    probeIntervalMs: 1_000,
    gossipIntervalMs: 100,
    gossipToTheDeadTimeMs: 15_000,
    ...overrides,
  };
}

// `cluster_config`: Bifrost's cluster block with its exact keys (enabled, type, node_id, region,
// peers, gossip, grpc, discovery), checked strictly — a misspelt key in the block that decides
// whether replicas share rate limits must stop startup, not be ignored. One key is ours:
// `gossip.encryption_key` (memberlist's keyring key, base64 of 16/24/32 bytes, `env.X` allowed like
// every secret; BIFROST_GOSSIP_KEY fills it when absent, see load.ts). The cross-section rules
// (cluster mode needs PostgreSQL; peers or discovery; discovery type's own fields, as Bifrost's Helm
// chart validates them) run after parsing, in `clusterIssues`, so each names its key.
import { BlockList, isIP } from 'node:net';
import { z } from 'zod';
import { goDurationMs } from '../core/index.js';
import type { ConfigIssue } from './issues.js';

const port = z.number().int().min(1).max(65535);

/** `host:port` (IPv6 in brackets); the host may be a DNS name, as StatefulSet pod names are. */
const hostPort = z.string().refine((s) => parseHostPort(s) !== undefined, {
  message: 'expected host:port (e.g. "bifrost-0.bifrost-headless:7946")',
});

export function parseHostPort(s: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:[\]/]+)):(\d{1,5})$/.exec(s);
  if (!m) return undefined;
  const host = m[1] ?? m[2]!;
  const p = Number(m[3]);
  if (p < 1 || p > 65535 || (m[1] !== undefined && isIP(host) !== 6)) return undefined;
  return { host, port: p };
}

/** An IPv4 or IPv6 CIDR such as `10.0.0.0/8`; node's BlockList both validates and later matches it. */
const cidr = z.string().refine((s) => isValidCidr(s), { message: 'expected a CIDR such as "10.0.0.0/8" or "fd00::/8"' });

export function isValidCidr(s: string): boolean {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(s);
  if (!m) return false;
  const family = isIP(m[1]!);
  const prefix = Number(m[2]);
  if (family === 0 || prefix > (family === 4 ? 32 : 128)) return false;
  try {
    new BlockList().addSubnet(m[1]!, prefix, family === 4 ? 'ipv4' : 'ipv6');
    return true;
  } catch {
    return false;
  }
}

/**
 * Bifrost's `dial_timeout` is a Go time.Duration: a string such as "10s", or a JSON number of
 * nanoseconds (Go's encoding). Numbers below 1 ms are almost certainly seconds written by mistake.
 */
const dialTimeoutMs = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const ms = typeof value === 'number' ? value / 1e6 : goDurationMs(value);
  if (ms === undefined || !Number.isFinite(ms) || ms < 1 || ms > 10 * 60 * 1000) {
    ctx.addIssue({
      code: 'custom',
      message: typeof value === 'number'
        ? `a number is nanoseconds as in Go (10s = 10000000000); write a duration such as "10s", got ${value}`
        : `expected a duration between 1ms and 10m such as "10s", got "${value}"`,
    });
    return z.NEVER;
  }
  return Math.round(ms);
});

export const DISCOVERY_TYPES = ['kubernetes', 'dns', 'consul', 'etcd', 'mdns', 'udp'] as const;

export const gossipThresholdsSchema = z.strictObject({
  /** Scales SWIM's timing; see src/cluster/node/thresholds.ts for the mapping. */
  timeout_seconds: z.number().positive().max(600).default(10),
  success_threshold: z.number().int().min(1).max(100).default(3),
  failure_threshold: z.number().int().min(1).max(100).default(3),
});

const keyBytes = (s: string): number => (/^[A-Za-z0-9+/]+={0,2}$/.test(s) ? Buffer.from(s, 'base64').length : 0);

export const gossipSchema = z.strictObject({
  port: port.default(7946),
  /** Ours (not Bifrost's): memberlist's AES-GCM keyring key, as `serf keygen` prints it. */
  encryption_key: z.string().refine((s) => [16, 24, 32].includes(keyBytes(s)), {
    message: 'expected base64 of 16, 24 or 32 bytes (e.g. the output of `openssl rand -base64 32`)',
  }).optional(),
  config: gossipThresholdsSchema.default({ timeout_seconds: 10, success_threshold: 3, failure_threshold: 3 }),
});

export const discoverySchema = z.strictObject({
  enabled: z.boolean().default(false),
  /** "" (Bifrost's Helm default) means unset. */
  type: z.union([z.enum(DISCOVERY_TYPES), z.literal('')]).optional().transform((t) => t || undefined),
  service_name: z.string().max(255).optional(),
  bind_port: port.optional(),
  dial_timeout: dialTimeoutMs.optional(),
  allowed_address_space: z.array(cidr).max(256).default([]),
  k8s_namespace: z.string().max(253).optional(),
  k8s_label_selector: z.string().max(1024).optional(),
  dns_names: z.array(z.string().min(1).max(253)).max(256).default([]),
  udp_broadcast_port: z.number().int().min(0).max(65535).optional(),
  consul_address: z.string().max(1024).optional(),
  etcd_endpoints: z.array(z.string().min(1).max(1024)).max(64).default([]),
  mdns_service: z.string().max(255).optional(),
});

const BROKER_REFUSED = 'broker mode is not offered by Bifrost-TS: replicas gossip with each other directly; '
  + 'use type "mesh" with peers or discovery';

export const clusterConfigSchema = z.strictObject({
  enabled: z.boolean().default(false),
  type: z.string().optional().superRefine((value, ctx) => {
    if (value === undefined || value === '' || value === 'mesh') return;
    ctx.addIssue({ code: 'custom', message: value === 'broker' ? BROKER_REFUSED : `expected "mesh", got ${JSON.stringify(value)}` });
  }),
  /** Accepted only to refuse it with the reason above rather than as an unknown key. */
  broker: z.unknown().optional().superRefine((value, ctx) => {
    if (value !== undefined) ctx.addIssue({ code: 'custom', message: BROKER_REFUSED });
  }),
  node_id: z.string().min(1).max(128).regex(/^[^\s]+$/, 'must not contain whitespace').optional(),
  /** Free-form; "unknown" when absent, as Bifrost. Bounded so the node meta stays under 512 bytes. */
  region: z.string().max(64).optional(),
  peers: z.array(hostPort).max(256).default([]),
  gossip: gossipSchema.default({ port: 7946, config: { timeout_seconds: 10, success_threshold: 3, failure_threshold: 3 } }),
  /** Accepted and unused: application messages travel over the gossip layer's streams and broadcasts. */
  grpc: z.strictObject({
    port: port.default(10102),
    dial_timeout_seconds: z.number().positive().default(5),
  }).optional(),
  discovery: discoverySchema.optional(),
});

export type ClusterConfig = z.output<typeof clusterConfigSchema>;

/** Where the config store lives, as the store loader reads `config_store` (absent → SQLite). */
function configStoreKind(block: unknown): 'sqlite' | 'postgres' | 'none' {
  if (block === undefined || block === null || typeof block !== 'object') return 'sqlite';
  const b = block as { enabled?: unknown; type?: unknown };
  if (b.enabled === false) return 'none';
  return b.type === 'postgres' ? 'postgres' : 'sqlite';
}

/**
 * Startup rules an enabled cluster must meet, each naming its key: PostgreSQL as the config store,
 * peers or discovery, and the fields each discovery type needs (Bifrost's Helm validation, plus
 * the runtime's required fields for kubernetes, dns and etcd).
 */
export function clusterIssues(config: { cluster_config?: ClusterConfig | undefined; config_store?: unknown }): ConfigIssue[] {
  const c = config.cluster_config;
  if (!c?.enabled) return [];
  const issues: ConfigIssue[] = [];
  const at = (path: string, message: string): void => { issues.push({ path: `cluster_config.${path}`, message }); };
  const store = configStoreKind(config.config_store);
  if (store !== 'postgres') {
    at('enabled', `cluster mode requires PostgreSQL as the config store (config_store.type "postgres"); `
      + `${store === 'none' ? 'no config store is enabled' : 'SQLite is single-node only'}`);
  }
  const d = c.discovery;
  if (c.peers.length === 0 && !d?.enabled) {
    at('peers', 'cluster mode needs peers (host:port list) or discovery.enabled: true');
  }
  if (!d?.enabled) return issues;
  if (!d.type) {
    at('discovery.type', `required when discovery is enabled (one of ${DISCOVERY_TYPES.join(', ')})`);
    return issues;
  }
  if ((d.type === 'consul' || d.type === 'etcd' || d.type === 'udp') && !d.service_name) {
    at('discovery.service_name', `required for ${d.type} discovery`);
  }
  if (d.type === 'udp') {
    if (!d.udp_broadcast_port) at('discovery.udp_broadcast_port', 'required for udp discovery');
    if (d.allowed_address_space.length === 0) at('discovery.allowed_address_space', 'required for udp discovery (the subnet to broadcast on)');
  }
  if (d.type === 'kubernetes' && !d.k8s_label_selector) at('discovery.k8s_label_selector', 'required for kubernetes discovery (e.g. "app.kubernetes.io/name=bifrost")');
  if (d.type === 'dns' && d.dns_names.length === 0) at('discovery.dns_names', 'required for dns discovery');
  if (d.type === 'etcd' && d.etcd_endpoints.length === 0) at('discovery.etcd_endpoints', 'required for etcd discovery');
  return issues;
}

/** The env var that supplies `gossip.encryption_key` when config.json does not set it. */
export const GOSSIP_KEY_ENV = 'BIFROST_GOSSIP_KEY';

/**
 * Fills `cluster_config.gossip.encryption_key` from BIFROST_GOSSIP_KEY when config.json leaves it
 * out, so a Helm chart that only renders Bifrost's keys can still encrypt gossip (via extraEnv).
 * Runs on the env-resolved JSON before validation, so a bad key is reported at its config path.
 */
export function withGossipKeyFromEnv(value: unknown, env: Readonly<Record<string, string | undefined>>, envRefs: Record<string, string>): unknown {
  const key = env[GOSSIP_KEY_ENV];
  if (!key || typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const root = value as Record<string, unknown>;
  const cluster = root.cluster_config;
  if (typeof cluster !== 'object' || cluster === null || Array.isArray(cluster)) return value;
  const gossip = (cluster as Record<string, unknown>).gossip ?? {};
  if (typeof gossip !== 'object' || gossip === null || Array.isArray(gossip)) return value;
  if ((gossip as Record<string, unknown>).encryption_key !== undefined) return value;
  envRefs['cluster_config.gossip.encryption_key'] = GOSSIP_KEY_ENV;
  return { ...root, cluster_config: { ...cluster, gossip: { ...gossip, encryption_key: key } } };
}

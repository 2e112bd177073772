// The one zod schema for Bifrost's config.json (snake_case keys, Bifrost's defaults). Sections the
// gateway implements are typed precisely; sections that later work implements (governance, stores,
// mcp, ...) are accepted as loose objects so a real Bifrost config.json loads unchanged.
// Parsing here only validates and fills defaults; env references and key ids are handled in load.ts.
import { z } from 'zod';
import { clusterConfigSchema } from './cluster.js';
import { logsStoreSchema } from './logs-store.js';

const looseSection = z.looseObject({});

const nonNegativeInt = z.number().int().nonnegative();

export const clientSchema = z.looseObject({
  initial_pool_size: nonNegativeInt.default(300),
  drop_excess_requests: z.boolean().default(false),
  max_request_body_size_mb: z.number().positive().default(100),
  // v1.3 semantics: an empty list still lets localhost origins through.
  allowed_origins: z.array(z.string()).default([]),
  prometheus_labels: z.array(z.string()).default([]),
  enable_logging: z.boolean().default(true),
  disable_content_logging: z.boolean().default(false),
  log_retention_days: nonNegativeInt.default(365),
  logging_headers: z.array(z.string()).default([]),
  enforce_governance_header: z.boolean().default(false),
  enforce_auth_on_inference: z.boolean().default(false),
  enable_governance: z.boolean().default(true),
  allow_direct_keys: z.boolean().default(false),
  disable_db_pings_in_health: z.boolean().default(false),
  dump_errors_in_console_logs: z.boolean().default(false),
  required_headers: z.array(z.string()).default([]),
  whitelisted_routes: z.array(z.string()).default([]),
  allowed_headers: z.array(z.string()).default([]),
  header_filter_config: z.looseObject({
    allowlist: z.array(z.string()).default([]),
    denylist: z.array(z.string()).default([]),
  }).default({ allowlist: [], denylist: [] }),
  async_job_result_ttl: nonNegativeInt.default(3600),
  routing_chain_max_depth: nonNegativeInt.default(10),
});

export const keySchema = z.looseObject({
  id: z.string().min(1).optional(),
  /** Filled with `<provider>-key-<index>` when absent (load.ts). */
  name: z.string().min(1).optional(),
  value: z.string(),
  models: z.array(z.string()).default([]),
  blacklisted_models: z.array(z.string()).optional(),
  weight: z.number().nonnegative().default(1),
  enabled: z.boolean().default(true),
});

/** Bifrost's v1.3 schema and the Helm chart spell the backoff fields with a `_ms` suffix. */
function backoffAliases(input: unknown): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input;
  const out: Record<string, unknown> = { ...(input as Record<string, unknown>) };
  for (const field of ['retry_backoff_initial', 'retry_backoff_max']) {
    const alias = `${field}_ms`;
    if (out[field] === undefined && out[alias] !== undefined) out[field] = out[alias];
    delete out[alias];
  }
  return out;
}

export const networkConfigSchema = z.preprocess(backoffAliases, z.looseObject({
  base_url: z.url({ protocol: /^https?$/ }).optional(),
  extra_headers: z.record(z.string(), z.string()).optional(),
  default_request_timeout_in_seconds: z.number().positive().default(30),
  max_retries: nonNegativeInt.default(0),
  retry_backoff_initial: z.number().nonnegative().default(500),
  retry_backoff_max: z.number().nonnegative().default(5000),
  stream_idle_timeout_in_seconds: z.number().positive().optional(),
}));

export const concurrencySchema = z.looseObject({
  concurrency: z.number().int().positive().default(1000),
  buffer_size: nonNegativeInt.default(5000),
});

export const providerSchema = z.looseObject({
  keys: z.array(keySchema).default([]),
  network_config: networkConfigSchema.default({
    default_request_timeout_in_seconds: 30, max_retries: 0, retry_backoff_initial: 500, retry_backoff_max: 5000,
  }),
  concurrency_and_buffer_size: concurrencySchema.default({ concurrency: 1000, buffer_size: 5000 }),
  custom_provider_config: z.looseObject({
    base_provider_type: z.string().min(1),
    allowed_requests: z.record(z.string(), z.boolean()).optional(),
  }).optional(),
  proxy_config: looseSection.optional(),
  send_back_raw_response: z.boolean().optional(),
  store_raw_request_response: z.boolean().optional(),
});

export const pluginEntrySchema = z.looseObject({
  name: z.string().min(1),
  enabled: z.boolean().default(true),
  config: z.unknown().optional(),
  version: z.number().int().optional(),
  path: z.string().optional(),
  placement: z.enum(['pre_builtin', 'post_builtin']).optional(),
  order: z.number().int().optional(),
});

/** Top-level keys the gateway knows; anything else is kept but reported as a warning (unknown-keys.ts). */
export const KNOWN_TOP_LEVEL_KEYS: readonly string[] = [
  '$schema', 'version', 'source_of_truth', 'encryption_key', 'client', 'providers', 'governance', 'mcp',
  'plugins', 'framework', 'config_store', 'logs_store', 'vector_store', 'websocket', 'cluster_config',
  'load_balancer_config', 'guardrails_config', 'access_profiles', 'alerting', 'scim_config',
  'circuit_breaker_config', 'feature_flags', 'skills_registry', 'webhooks', 'audit_logs', 'server',
  'env_label', 'auth_config',
];

export const configSchema = z.looseObject({
  $schema: z.string().optional(),
  version: z.number().int().min(1).max(2).default(2),
  source_of_truth: z.enum(['split', 'config.json']).optional(),
  encryption_key: z.string().optional(),
  client: clientSchema.default(() => clientSchema.parse({})),
  providers: z.record(z.string().min(1), providerSchema).default({}),
  plugins: z.array(pluginEntrySchema).default([]),
  governance: looseSection.optional(),
  mcp: looseSection.optional(),
  framework: looseSection.optional(),
  config_store: looseSection.optional(),
  logs_store: logsStoreSchema.optional(),
  vector_store: looseSection.optional(),
  websocket: looseSection.optional(),
  cluster_config: clusterConfigSchema.optional(),
  load_balancer_config: looseSection.optional(),
  server: looseSection.optional(),
  auth_config: looseSection.optional(),
});

export type ParsedConfig = z.output<typeof configSchema>;

// Finds the keys of a config.json that nothing reads — usually typos (`drop_excess_request`) — so
// startup can warn about each with its path and the closest known key instead of ignoring it in
// silence. Only blocks whose key set is known in full are checked: the top level, `client`, each
// provider (its name is free-form; its body is not), its keys, `network_config` and
// `concurrency_and_buffer_size`, each plugin entry (not its `config`, which the plugin owns) and
// `logs_store.writer`. A known key is one our schema reads or one Bifrost's config.json schema
// defines, so a real Bifrost file that sets a feature we lack does not warn. Sections kept as loose
// objects (governance, mcp, stores, ...) are not checked here.
import { formatPath } from './issues.js';
import { logsWriterSchema } from './logs-store.js';
import {
  clientSchema, concurrencySchema, configSchema, KNOWN_TOP_LEVEL_KEYS, keySchema, networkConfigSchema, pluginEntrySchema, providerSchema,
} from './schema.js';

interface Block {
  known: ReadonlySet<string>;
  /** Keys matching this are known too (provider-specific key blocks such as `azure_key_config`). */
  pattern?: RegExp;
  /** Its own keys are not checked (only the children below): its key set is not known in full. */
  open?: boolean;
  /** Blocks nested under a key: one object, or the elements of a list, or the values of a map. */
  children?: Record<string, { kind: 'object' | 'list' | 'map'; block: Block }>;
}

function block(shapes: ReadonlyArray<readonly string[]>, rest: Omit<Block, 'known'> = {}): Block {
  return { known: new Set(shapes.flat()), ...rest };
}

const keysOf = (schema: { shape: object }): string[] => Object.keys(schema.shape);

// Keys Bifrost's config.json schema defines that our schema does not type (they load and are ignored).
const BIFROST_CLIENT_KEYS = [
  'allow_per_request_content_storage_override', 'allow_per_request_raw_override', 'webhook_config',
  'dual_credential_conflict_behavior', 'enforce_scim_auth', 'compat', 'hide_deleted_virtual_keys_in_filters',
  'mcp_agent_depth', 'mcp_tool_execution_timeout', 'mcp_code_mode_binding_level', 'mcp_tool_sync_interval',
  'mcp_disable_auto_tool_inject', 'mcp_enable_temp_token_auth', 'mcp_external_client_url', 'mcp_server_auth_mode',
  'oauth2_server_config', 'a2a_external_client_url', 'enable_litellm_fallbacks',
];
const BIFROST_PROVIDER_KEYS = ['send_back_raw_request', 'openai_config'];
const BIFROST_KEY_KEYS = ['use_for_batch_api', 'aliases', 'description'];
const BIFROST_NETWORK_KEYS = [
  'enforce_http2', 'insecure_skip_verify', 'ca_cert_pem', 'keep_alive_timeout_in_seconds', 'max_conns_per_host',
  'beta_header_overrides', 'allow_private_network',
  // The `_ms` spellings of Bifrost v1.3 and its Helm chart, folded into the plain names by the schema.
  'retry_backoff_initial_ms', 'retry_backoff_max_ms',
];
const BIFROST_TOP_LEVEL_KEYS = ['large_payload_optimization'];

const HEADER_FILTER = block([['allowlist', 'denylist']]);
const CLIENT = block([keysOf(clientSchema), BIFROST_CLIENT_KEYS], { children: { header_filter_config: { kind: 'object', block: HEADER_FILTER } } });
const KEY = block([keysOf(keySchema), BIFROST_KEY_KEYS], { pattern: /_key_config$/ });
const PROVIDER = block([keysOf(providerSchema), BIFROST_PROVIDER_KEYS], {
  children: {
    keys: { kind: 'list', block: KEY },
    network_config: { kind: 'object', block: block([keysOf(networkConfigSchema.out), BIFROST_NETWORK_KEYS]) },
    concurrency_and_buffer_size: { kind: 'object', block: block([keysOf(concurrencySchema)]) },
  },
});
const ROOT = block([keysOf(configSchema), KNOWN_TOP_LEVEL_KEYS, BIFROST_TOP_LEVEL_KEYS], {
  children: {
    client: { kind: 'object', block: CLIENT },
    providers: { kind: 'map', block: PROVIDER },
    plugins: { kind: 'list', block: block([keysOf(pluginEntrySchema)]) },
    logs_store: { kind: 'object', block: block([], { open: true, children: { writer: { kind: 'object', block: block([keysOf(logsWriterSchema)]) } } }) },
  },
});

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Edit distance counting a swap of two neighbours as one edit (optimal string alignment). */
function distance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}

// Case, `_` and `-` are ignored when comparing, so `dropExcessRequests` finds `drop_excess_requests`.
const normalize = (key: string): string => key.toLowerCase().replace(/[_-]/g, '');

/** The known key nearest to `key`, when near enough to be the likely intent. */
export function closestKey(key: string, known: Iterable<string>): string | undefined {
  const wanted = normalize(key);
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const d = distance(wanted, normalize(candidate));
    if (best === undefined || d < best.distance) best = { key: candidate, distance: d };
  }
  // Roughly one edit per four characters: close enough to be a slip, far enough not to guess wildly.
  const allowed = Math.max(1, Math.floor(wanted.length / 4));
  return best !== undefined && best.distance <= allowed ? best.key : undefined;
}

function check(value: unknown, shape: Block, path: PropertyKey[], out: string[]): void {
  if (!isObject(value)) return;
  for (const [key, child] of Object.entries(value)) {
    const at = [...path, key];
    const nested = shape.children?.[key];
    if (!shape.open && !shape.known.has(key) && !nested && !shape.pattern?.test(key)) {
      const suggestion = closestKey(key, shape.known);
      out.push(`${formatPath(at)}: unknown key${suggestion ? `; did you mean ${suggestion}?` : ''}`);
      continue;
    }
    if (!nested) continue;
    if (nested.kind === 'object') check(child, nested.block, at, out);
    else if (nested.kind === 'list' && Array.isArray(child)) child.forEach((item, index) => check(item, nested.block, [...at, index], out));
    else if (nested.kind === 'map' && isObject(child)) for (const [name, item] of Object.entries(child)) check(item, nested.block, [...at, name], out);
  }
}

/** One warning per key of `raw` (a config.json as written) that nothing reads, in file order. */
export function unknownKeyWarnings(raw: unknown): string[] {
  const out: string[] = [];
  check(raw, ROOT, [], out);
  return out;
}

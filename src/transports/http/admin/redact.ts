// Secrets never leave through the admin API: a key given as `env.X` is shown as `env.X`; any other
// secret is masked, keeping only enough of its ends to tell keys apart. A masked value sent back
// unchanged (the UI round-trips what it was shown) means "keep the stored secret".
import type { Json, StoredKey, StoredPlugin, StoredProvider } from '../../../storage/config-store/index.js';

const SECRET_FIELD = /(password|secret|secret_?key|token|api_?key|access_?key|private_?key|credentials?|session_token)$/i;

export function maskSecret(value: string): string {
  if (value.length <= 12) return '*'.repeat(8);
  return `${value.slice(0, 4)}${'*'.repeat(24)}${value.slice(-4)}`;
}

/** True when `incoming` is what the API showed for `stored`, i.e. the caller did not change it. */
export function isUnchangedSecret(incoming: string, stored: StoredKey): boolean {
  if (stored.valueEnv !== null && incoming === `env.${stored.valueEnv}`) return true;
  return incoming === maskSecret(stored.value);
}

export function redactKey(key: StoredKey, provider: string): Json {
  return {
    ...(redactDeep(key.config) as Json), id: key.id, name: key.name, provider,
    value: key.valueEnv !== null ? `env.${key.valueEnv}` : maskSecret(key.value),
  };
}

/** What a secret field inside a config block (password, token, ...) is shown as. */
export const MASKED = '********';

/** Masks string fields whose names say they are secrets, at any depth. */
export function redactDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactDeep);
  if (typeof value !== 'object' || value === null) return value;
  const out: Json = {};
  for (const [field, child] of Object.entries(value)) {
    out[field] = typeof child === 'string' && SECRET_FIELD.test(field) && !child.startsWith('env.') ? MASKED : redactDeep(child);
  }
  return out;
}

/** Puts stored secrets back where a caller sent the mask unchanged (the UI round-trips it). */
export function restoreMasked(incoming: unknown, stored: unknown): unknown {
  if (incoming === MASKED && typeof stored === 'string') return stored;
  if (Array.isArray(incoming)) return incoming.map((item, index) => restoreMasked(item, Array.isArray(stored) ? stored[index] : undefined));
  if (typeof incoming !== 'object' || incoming === null) return incoming;
  const previous = typeof stored === 'object' && stored !== null ? stored as Json : {};
  return Object.fromEntries(Object.entries(incoming).map(([field, child]) => [field, restoreMasked(child, previous[field])]));
}

export type ProviderStatus = 'active' | 'deleted';

export function providerResponse(provider: StoredProvider): Json {
  const config = redactDeep(provider.config) as Json;
  return {
    name: provider.name,
    keys: provider.keys.filter((key) => !key.deleted).map((key) => redactKey(key, provider.name)),
    network_config: config.network_config ?? {},
    concurrency_and_buffer_size: config.concurrency_and_buffer_size ?? {},
    proxy_config: config.proxy_config ?? null,
    send_back_raw_response: config.send_back_raw_response === true,
    store_raw_request_response: config.store_raw_request_response === true,
    ...(config.custom_provider_config ? { custom_provider_config: config.custom_provider_config } : {}),
    provider_status: (provider.deleted ? 'deleted' : 'active') satisfies ProviderStatus,
    ...(provider.hash ? { config_hash: provider.hash } : {}),
  };
}

export function pluginResponse(plugin: StoredPlugin): Json {
  return { name: plugin.name, ...(redactDeep(plugin.config) as Json) };
}

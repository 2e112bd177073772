// Builds the RuntimeConfig snapshot (C2's BifrostConfig, which the engine reads) from the store's
// contents plus the sections of config.json that the store does not hold (governance, mcp, ...),
// taken as written in the file (`LoadedConfig.raw`), not as parsed. It goes through the same parser
// as config.json, so defaults and validation are identical, and keys given as `env.X` are
// re-resolved from the environment each time.
import { type BifrostConfig, type Env, type LoadedConfig, parseConfig } from '../../config/index.js';
import type { Json, StoreContents } from './contents.js';

const STORED_SECTIONS = ['client', 'providers', 'plugins', 'framework'] as const;

/** The governance block without the admin password (the snapshot is handed around freely). */
function safeGovernance(governance: unknown): Json | undefined {
  if (typeof governance !== 'object' || governance === null) return undefined;
  const copy: Json = { ...(governance as Json) };
  const auth = copy.auth_config;
  if (typeof auth === 'object' && auth !== null) {
    const { admin_password: _dropped, ...rest } = auth as Json;
    copy.auth_config = rest;
  }
  return copy;
}

export function buildSnapshot(contents: StoreContents, base: LoadedConfig, env: Env): LoadedConfig {
  const raw: Json = { ...(base.raw as Json) };
  for (const section of STORED_SECTIONS) delete raw[section];
  const governance = safeGovernance(raw.governance);
  if (governance) raw.governance = governance;
  const client = contents.sections.get('client');
  if (client) raw.client = client.value;
  const framework = contents.sections.get('framework');
  if (framework) raw.framework = framework.value;
  const providers: Json = {};
  for (const provider of contents.providers.values()) {
    if (provider.deleted) continue;
    providers[provider.name] = {
      ...provider.config,
      keys: provider.keys.filter((key) => !key.deleted).map((key) => ({
        ...key.config, name: key.name, id: key.id,
        value: key.valueEnv && env[key.valueEnv] ? `env.${key.valueEnv}` : key.value,
      })),
    };
  }
  raw.providers = providers;
  raw.plugins = [...contents.plugins.values()].filter((plugin) => !plugin.deleted).map((plugin) => ({ ...plugin.config, name: plugin.name }));
  const parsed = parseConfig(raw, { env, source: 'config store' });
  return { ...parsed, source: base.source, warnings: base.warnings };
}

export type { BifrostConfig };

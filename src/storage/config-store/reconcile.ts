// Reconciles config.json into the store at startup. "split" (Bifrost's default): a row that came
// from the file follows the file when the file's version of it changes (its hash differs from the
// stored config_hash); otherwise the stored row wins, so edits made through the API survive
// restarts; rows that exist only in the store are kept. "config.json": the file is authoritative —
// every file row is written and store-only providers, keys and plugins are removed.
import type { BifrostConfig, ProviderEntry } from '../../config/index.js';
import type { ProviderKey } from '../../core/index.js';
import { hashPassword } from '../../security/index.js';
import {
  configHash, type Json, type StoreContents, type StoredKey, type StoredPlugin, type StoredProvider, type StoredSection,
} from './contents.js';

export type SourceOfTruth = 'split' | 'config.json';

export interface FileInput {
  config: Readonly<BifrostConfig>;
  envRefs: Readonly<Record<string, string>>;
}

/** What changed, for the repository to write. */
export interface ReconcileResult {
  sections: Set<string>;
  providers: Set<string>;
  plugins: Set<string>;
}

function without(source: object, ...fields: string[]): Json {
  const out: Json = { ...(source as Json) };
  for (const field of fields) delete out[field];
  return out;
}

export function keysFromFile(provider: string, entry: ProviderEntry, envRefs: Readonly<Record<string, string>>): StoredKey[] {
  const keys: ProviderKey[] = entry.keys;
  return keys.map((key, index) => ({
    name: key.name, id: key.id, value: key.value,
    valueEnv: envRefs[`providers.${provider}.keys[${index}].value`] ?? null,
    config: without(key, 'name', 'id', 'value'),
    hash: configHash(key), deleted: false,
  }));
}

export function providerFromFile(name: string, entry: ProviderEntry, envRefs: Readonly<Record<string, string>>): StoredProvider {
  const config = without(entry, 'keys');
  return { name, config, hash: configHash(config), deleted: false, keys: keysFromFile(name, entry, envRefs) };
}

/** Returns the row the store should hold; `changed` when it differs from `existing`. */
function decide<T extends { hash: string | null }>(existing: T | undefined, fromFile: T, mode: SourceOfTruth): { row: T; changed: boolean } {
  if (mode === 'split' && existing && existing.hash === fromFile.hash) return { row: existing, changed: false };
  return { row: fromFile, changed: true };
}

function reconcileKeys(existing: StoredKey[], fromFile: StoredKey[], mode: SourceOfTruth): { keys: StoredKey[]; changed: boolean } {
  const byName = new Map(existing.map((key) => [key.name, key]));
  let changed = false;
  const fileNames = new Set(fromFile.map((key) => key.name));
  const keys: StoredKey[] = [];
  for (const key of existing) {
    if (fileNames.has(key.name)) continue;
    if (mode === 'config.json') changed = true;
    else keys.push(key);
  }
  for (const fileKey of fromFile) {
    const decision = decide(byName.get(fileKey.name), fileKey, mode);
    changed ||= decision.changed;
    keys.push(decision.row);
  }
  // Keep the stored order for keys that were already there.
  const order = new Map(existing.map((key, index) => [key.name, index]));
  keys.sort((a, b) => (order.get(a.name) ?? Infinity) - (order.get(b.name) ?? Infinity));
  return { keys, changed };
}

async function authSection(config: Readonly<BifrostConfig>): Promise<StoredSection | undefined> {
  const auth = (config.governance as Json | undefined)?.auth_config as Json | undefined;
  if (!auth) return undefined;
  const password = typeof auth.admin_password === 'string' ? auth.admin_password : '';
  const value: Json = {
    is_enabled: auth.is_enabled === true,
    admin_username: typeof auth.admin_username === 'string' ? auth.admin_username : '',
    admin_password_hash: password ? await hashPassword(password) : '',
    disable_auth_on_inference: auth.disable_auth_on_inference === true,
  };
  return { value, hash: configHash(auth) };
}

/** Applies config.json to `contents` in place and reports what must be written. */
export async function reconcile(contents: StoreContents, file: FileInput, mode: SourceOfTruth): Promise<ReconcileResult> {
  const result: ReconcileResult = { sections: new Set(), providers: new Set(), plugins: new Set() };
  const { config, envRefs } = file;
  const sections: Array<[string, StoredSection | undefined]> = [
    ['client', { value: { ...config.client }, hash: configHash(config.client) }],
    ['framework', config.framework ? { value: { ...config.framework }, hash: configHash(config.framework) } : undefined],
  ];
  const existingAuth = contents.sections.get('auth');
  const fileAuth = (config.governance as Json | undefined)?.auth_config;
  // Hashing a password is slow; only do it when the file's auth block is new or changed.
  if (fileAuth && (mode === 'config.json' || existingAuth?.hash !== configHash(fileAuth))) sections.push(['auth', await authSection(config)]);
  for (const [name, fromFile] of sections) {
    if (!fromFile) continue;
    const decision = decide(contents.sections.get(name), fromFile, mode);
    if (decision.changed) {
      contents.sections.set(name, decision.row);
      result.sections.add(name);
    }
  }

  for (const [name, entry] of Object.entries(config.providers as Record<string, ProviderEntry>)) {
    const fromFile = providerFromFile(name, entry, envRefs);
    const existing = contents.providers.get(name);
    const decision = decide(existing, fromFile, mode);
    const keys = reconcileKeys(existing?.keys ?? [], fromFile.keys, mode);
    if (decision.changed || keys.changed) {
      contents.providers.set(name, { ...decision.row, keys: keys.keys });
      result.providers.add(name);
    }
  }
  if (mode === 'config.json') {
    for (const provider of contents.providers.values()) {
      if (!(provider.name in config.providers) && !provider.deleted) {
        provider.deleted = true;
        result.providers.add(provider.name);
      }
    }
  }

  const filePlugins = new Set<string>();
  for (const entry of config.plugins) {
    filePlugins.add(entry.name);
    const fromFile: StoredPlugin = { name: entry.name, config: without(entry, 'name'), hash: configHash(entry), deleted: false };
    const decision = decide(contents.plugins.get(entry.name), fromFile, mode);
    if (decision.changed) {
      contents.plugins.set(entry.name, decision.row);
      result.plugins.add(entry.name);
    }
  }
  if (mode === 'config.json') {
    for (const plugin of contents.plugins.values()) {
      if (!filePlugins.has(plugin.name) && !plugin.deleted) {
        plugin.deleted = true;
        result.plugins.add(plugin.name);
      }
    }
  }
  return result;
}

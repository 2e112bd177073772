// The config store's contents as plain data: what the repository reads and writes, what the
// reconcile compares with config.json, and what the service turns into a RuntimeConfig snapshot.
// Values here are decrypted; sealing happens only at the repository boundary.
import { createHash } from 'node:crypto';

export type Json = Record<string, unknown>;

export interface StoredKey {
  name: string;
  id: string;
  /** The secret in clear (decrypted). */
  value: string;
  /** Env var the value was given as (`env.X`), shown instead of the secret. */
  valueEnv: string | null;
  /** Everything else about the key: models, weight, enabled, ... */
  config: Json;
  hash: string | null;
  deleted: boolean;
}

export interface StoredProvider {
  name: string;
  /** The provider entry without `keys`. */
  config: Json;
  hash: string | null;
  deleted: boolean;
  /** In order; tombstoned keys stay so a file key removed through the API stays removed. */
  keys: StoredKey[];
}

export interface StoredPlugin {
  name: string;
  /** The plugin entry without `name`. */
  config: Json;
  hash: string | null;
  deleted: boolean;
}

export interface StoredSection {
  value: Json;
  hash: string | null;
}

export interface StoreContents {
  sections: Map<string, StoredSection>;
  providers: Map<string, StoredProvider>;
  /** In order. */
  plugins: Map<string, StoredPlugin>;
}

export function emptyContents(): StoreContents {
  return { sections: new Map(), providers: new Map(), plugins: new Map() };
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.keys(value).sort().map((key) => [key, canonical((value as Json)[key])]));
  }
  return value;
}

/** SHA-256 of the canonical JSON (sorted keys): a row's identity as config.json wrote it. */
export function configHash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(canonical(value))).digest('hex');
}

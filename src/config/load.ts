// Loads config.json once: JSON text → env references resolved → schema-validated with defaults →
// key names/ids filled → deeply frozen. Every problem (syntax position, missing env var, wrong type)
// is reported together in one ConfigError. With no config.json, providers come from the environment.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProviderKey, RuntimeConfig } from '../core/index.js';
import { detectProvidersFromEnv } from './env-detect.js';
import { clusterIssues, withGossipKeyFromEnv } from './cluster.js';
import { resolveEnvRefs } from './env-refs.js';
import { ConfigError, type ConfigIssue, zodIssues } from './issues.js';
import { configSchema, type ParsedConfig } from './schema.js';
import { unknownKeyWarnings } from './unknown-keys.js';

type ParsedProvider = ParsedConfig['providers'][string];
type ParsedKey = ParsedProvider['keys'][number];

// Intersections rather than Omit: the loose (passthrough) objects carry index signatures that Omit erases.
export type ProviderEntry = ParsedProvider & { keys: Array<ParsedKey & ProviderKey> };

/** The whole validated config.json; a superset of the engine's RuntimeConfig. */
export type BifrostConfig = ParsedConfig & { providers: Record<string, ProviderEntry> };

// Compile-time proof that the loader's output can be handed to the engine as-is.
const _assignable = (config: BifrostConfig): RuntimeConfig => config;
void _assignable;

export type Env = Readonly<Record<string, string | undefined>>;

export interface LoadedConfig {
  config: Readonly<BifrostConfig>;
  /**
   * The JSON object as written, before env references are resolved and defaults filled in. A
   * later snapshot (the config store's) re-parses this, never `config`: parsing is not idempotent
   * (a duration such as `batch_interval: "250ms"` becomes 250, which read again means 250 s).
   */
  raw: Readonly<Record<string, unknown>>;
  /** Key path → env var name for each `env.VAR` reference (for redaction in the admin API). */
  envRefs: Readonly<Record<string, string>>;
  /** Non-fatal notes (each unknown key with its path and the closest known key), for the startup log. */
  warnings: readonly string[];
  /** The file read, or `environment` when no config.json existed. */
  source: string;
}

export interface ParseOptions {
  env: Env;
  /** Used in error messages: the file name. */
  source?: string;
}

export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function fillKeyIdentity(config: ParsedConfig): BifrostConfig {
  const providers: Record<string, ProviderEntry> = {};
  for (const [name, provider] of Object.entries(config.providers)) {
    const keys = provider.keys.map((key, index) => {
      const keyName = key.name ?? `${name}-key-${index}`;
      return { ...key, name: keyName, id: key.id ?? keyName };
    });
    providers[name] = { ...provider, keys };
  }
  return { ...config, providers };
}

function duplicateKeyIssues(config: BifrostConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const [name, provider] of Object.entries(config.providers)) {
    const seen = new Set<string>();
    const keys: ProviderKey[] = provider.keys;
    keys.forEach((key, index) => {
      if (seen.has(key.name)) {
        issues.push({ path: `providers.${name}.keys[${index}].name`, message: `duplicate key name "${key.name}"` });
      }
      seen.add(key.name);
    });
  }
  return issues;
}

/** Validates an already-parsed JSON value. Throws ConfigError listing every problem. */
export function parseConfig(raw: unknown, options: ParseOptions): LoadedConfig {
  const source = options.source ?? 'config';
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(source, [{ path: '', message: `expected a JSON object, got ${Array.isArray(raw) ? 'array' : typeof raw}` }]);
  }
  const resolved = resolveEnvRefs(raw, options.env);
  const value = withGossipKeyFromEnv(resolved.value, options.env, resolved.envRefs);
  const parsed = configSchema.safeParse(value);
  const issues = [...resolved.issues];
  if (!parsed.success) issues.push(...zodIssues(parsed.error, value));
  if (parsed.success) {
    const filled = fillKeyIdentity(parsed.data);
    issues.push(...duplicateKeyIssues(filled), ...clusterIssues(filled));
    if (issues.length === 0) {
      // Unknown keys only warn: a file written for a newer Bifrost must still start.
      const warnings = unknownKeyWarnings(raw);
      return deepFreeze({ config: filled, raw: structuredClone(raw) as Record<string, unknown>, envRefs: resolved.envRefs, warnings, source });
    }
  }
  throw new ConfigError(source, issues);
}

/** Line and column of a JSON.parse error position, for a message an editor can jump to. */
function positionOf(text: string, message: string): string {
  const match = /position (\d+)/.exec(message);
  if (!match) return '';
  const offset = Number(match[1]);
  const before = text.slice(0, offset).split('\n');
  return ` (line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1})`;
}

export function parseConfigText(text: string, options: ParseOptions): LoadedConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ConfigError(options.source ?? 'config', [{ path: '', message: `invalid JSON: ${message}${positionOf(text, message)}` }]);
  }
  return parseConfig(raw, options);
}

/** Config with Bifrost's defaults and providers detected from env (no config.json). */
export function configFromEnvironment(env: Env): LoadedConfig {
  return parseConfig({ providers: detectProvidersFromEnv(env) }, { env, source: 'environment' });
}

/** Reads `<appDir>/config.json`, or falls back to the environment when the file does not exist. */
export async function loadAppConfig(appDir: string, env: Env): Promise<LoadedConfig> {
  const path = join(appDir, 'config.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return configFromEnvironment(env);
    throw new ConfigError(path, [{ path: '', message: `cannot read file: ${(error as Error).message}` }]);
  }
  return parseConfigText(text, { env, source: path });
}

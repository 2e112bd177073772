// Public surface of src/config: the config.json schema and loader, the live ConfigHolder, and the
// CLI's flag parsing. This is the only module that reads process.env (see `processEnv`).
export { configSchema, clientSchema, providerSchema, keySchema, networkConfigSchema, pluginEntrySchema } from './schema.js';
export type { ParsedConfig } from './schema.js';
export {
  parseConfig, parseConfigText, loadAppConfig, configFromEnvironment, deepFreeze,
  type BifrostConfig, type ProviderEntry, type LoadedConfig, type Env, type ParseOptions,
} from './load.js';
export { ConfigError, type ConfigIssue } from './issues.js';
export { ConfigHolder, type ConfigListener } from './config-holder.js';
export { detectProvidersFromEnv, PROVIDER_ENV_KEYS } from './env-detect.js';
export { parseServerFlags, defaultAppDir, UsageError, USAGE, type ServerFlags, type ParsedFlags } from './server-flags.js';

/** A snapshot of the process environment; the composition root passes it to the loaders. */
export function processEnv(): Readonly<Record<string, string | undefined>> {
  return { ...process.env };
}

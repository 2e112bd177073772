// Plugins from config.json's `plugins: [{name, enabled, config}]`. Each built-in validates its own
// `config` here, so a bad one is reported like any config problem, with its key path; plugins
// that need storage or routes (governance, telemetry, logging) are only validated here and built
// by their wiring step. Unknown names are skipped with a warning, as Bifrost does.
// Only the config schemas of those plugins are imported here (from their config modules, not their
// index): a plugin's runtime, and what it pulls in (prom-client for telemetry), loads in its wiring
// step, and only when the config turns it on.
import { ZodError } from 'zod';
import { ConfigError, type BifrostConfig, type ConfigIssue } from '../config/index.js';
import type { Logger, Plugin } from '../core/index.js';
import { governancePluginConfigSchema, GOVERNANCE_PLUGIN } from '../plugins/governance/config-schema.js';
// The logging plugin's modules load nothing heavy (its store is wired separately).
import { LOGGING_PLUGIN_NAME } from '../plugins/logging/plugin.js';
import { createMockerPlugin, MOCKER_PLUGIN_NAME } from '../plugins/mocker/index.js';
import { telemetryConfigSchema, TELEMETRY_PLUGIN_NAME } from '../plugins/telemetry/config.js';
import { pendingPlugin } from './context.js';

export { GOVERNANCE_PLUGIN, LOGGING_PLUGIN_NAME, TELEMETRY_PLUGIN_NAME };

export type PluginFactory = (config: unknown) => Plugin;

export function builtinPluginFactories(): Map<string, PluginFactory> {
  return new Map<string, PluginFactory>([
    [MOCKER_PLUGIN_NAME, (config) => createMockerPlugin(config)],
    ['mocker', (config) => createMockerPlugin(config)],
    [GOVERNANCE_PLUGIN, (config) => pendingPlugin(GOVERNANCE_PLUGIN, governancePluginConfigSchema.parse(config ?? {}))],
    [TELEMETRY_PLUGIN_NAME, (config) => pendingPlugin(TELEMETRY_PLUGIN_NAME, telemetryConfigSchema.parse(config ?? {}))],
    [LOGGING_PLUGIN_NAME, (config) => pendingPlugin(LOGGING_PLUGIN_NAME, config)],
  ]);
}

function pathOf(index: number, path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, segment) => (typeof segment === 'number' ? `${out}[${segment}]` : `${out}.${String(segment)}`), `plugins[${index}].config`);
}

export interface BuildPluginsOptions {
  factories: ReadonlyMap<string, PluginFactory>;
  logger: Logger;
  source: string;
}

/** Problems with a built-in plugin's `config` as `path: message`; none for unknown plugins. */
export function validatePluginConfig(factories: ReadonlyMap<string, PluginFactory>, name: string, config: unknown): string[] {
  const factory = factories.get(name);
  if (!factory) return [];
  try {
    factory(config);
    return [];
  } catch (error) {
    if (error instanceof ZodError) return error.issues.map((issue) => `${issue.path.map(String).join('.') || 'config'}: ${issue.message}`);
    return [error instanceof Error ? error.message : String(error)];
  }
}

export function buildConfiguredPlugins(config: Readonly<BifrostConfig>, options: BuildPluginsOptions): Plugin[] {
  const plugins: Plugin[] = [];
  const issues: ConfigIssue[] = [];
  config.plugins.forEach((entry, index) => {
    if (!entry.enabled) return;
    const factory = options.factories.get(entry.name);
    if (!factory) {
      options.logger.warn({ plugin: entry.name }, `plugins[${index}]: unknown plugin "${entry.name}" skipped`);
      return;
    }
    try {
      plugins.push(factory(entry.config));
    } catch (error) {
      if (error instanceof ZodError) {
        for (const issue of error.issues) issues.push({ path: pathOf(index, issue.path), message: issue.message });
      } else {
        issues.push({ path: `plugins[${index}].config`, message: error instanceof Error ? error.message : String(error) });
      }
    }
  });
  if (issues.length > 0) throw new ConfigError(options.source, issues);
  return plugins;
}

// Plugins whose configuration can change while the gateway serves: today the bifrost-mocker. Each
// sits in the chain as a fixed slot that delegates to the instance built from the current
// `plugins` entry; when an admin edit (POST/PUT/DELETE /api/plugins) publishes a new snapshot, the
// slot builds a fresh instance and swaps it in one assignment, so a request sees the old plugin or
// the new one, never a mix. A config the plugin rejects is logged and the running instance kept.
// Plugins wired to storage or routes (governance, telemetry, logging) take config changes at the
// next start.
import type { ConfigHolder } from '../config/index.js';
import type { InferenceRequest, Logger, Plugin, PreHookOutcome, RequestContext } from '../core/index.js';
import { createMockerPlugin, MOCKER_PLUGIN_NAME } from '../plugins/mocker/index.js';

interface LivePluginKind {
  /** The slot's name in the chain. */
  name: string;
  /** Names config.json may use for it (Bifrost's and the short alias). */
  aliases: readonly string[];
  build(config: unknown): Plugin;
}

export const LIVE_PLUGINS: readonly LivePluginKind[] = [
  { name: MOCKER_PLUGIN_NAME, aliases: [MOCKER_PLUGIN_NAME, 'mocker'], build: (config) => createMockerPlugin(config) },
];

type Entry = { name: string; enabled: boolean; config?: unknown };

/** The enabled entry for a kind in a plugins list, if any. */
function entryFor(kind: LivePluginKind, plugins: readonly Entry[]): Entry | undefined {
  return plugins.find((p) => kind.aliases.includes(p.name) && p.enabled);
}

/** A chain member that forwards to whichever instance is current (none while disabled). */
function slotFor(kind: LivePluginKind, initial: Plugin | undefined): Plugin & { swap(next: Plugin | undefined): Plugin | undefined } {
  let current = initial;
  return {
    name: kind.name,
    get keepsBody() {
      return current === undefined || current.keepsBody === true;
    },
    preHook(request: InferenceRequest, ctx: RequestContext): PreHookOutcome | Promise<PreHookOutcome> {
      return current?.preHook?.(request, ctx);
    },
    swap(next) {
      const previous = current;
      current = next;
      return previous;
    },
    async close() {
      await current?.close?.();
    },
  };
}

/**
 * Replaces the statically built instances of live plugins in `plugins` with slots (at the same
 * position, or last when the plugin is not enabled at startup) and keeps them in step with
 * `holder` — whose first snapshot may already differ from config.json (edits kept in the store).
 * Without a config store (file-only mode) plugins cannot change at runtime, and no slot is added.
 */
export function wireLivePlugins(plugins: Plugin[], holder: ConfigHolder, options: { editable: boolean; logger: Logger }): void {
  if (!options.editable) return;
  const { logger } = options;
  for (const kind of LIVE_PLUGINS) {
    const index = plugins.findIndex((p) => kind.aliases.includes(p.name));
    const slot = slotFor(kind, undefined);
    if (index >= 0) plugins.splice(index, 1, slot);
    else plugins.push(slot);
    let applied: string | undefined;
    const apply = (entry: Entry | undefined): void => {
      const key = JSON.stringify(entry ?? null);
      if (key === applied) return;
      let next: Plugin | undefined;
      try {
        next = entry ? kind.build(entry.config) : undefined;
      } catch (error) {
        logger.warn({ plugin: kind.name, err: error instanceof Error ? error.message : String(error) }, 'plugin config rejected; keeping the running instance');
        return;
      }
      const first = applied === undefined;
      applied = key;
      const previous = slot.swap(next);
      previous?.close?.().catch(() => undefined);
      if (!first) logger.info({ plugin: kind.name, enabled: next !== undefined }, 'plugin reloaded');
    };
    apply(entryFor(kind, holder.current().plugins));
    holder.subscribe((config) => apply(entryFor(kind, config.plugins)));
  }
}

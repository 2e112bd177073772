// /api/plugins: the `plugins` array of config.json, editable at runtime. Plugin configs may carry
// credentials, so they are sealed at rest and redacted in responses. Bodies are size-bounded
// (input-bounds.ts): the name and path by name, the free-form config as a whole.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { pluginEntrySchema } from '../../../config/index.js';
import type { Json, StoredPlugin } from '../../../storage/config-store/index.js';
import type { AdminOptions } from './context.js';
import { badRequest, conflict, notFound, parseBody, translateStoreError } from './errors.js';
import { ADMIN_LIMITS, bounded, maxLengths } from './input-bounds.js';
import { pluginResponse, restoreMasked } from './redact.js';

interface PluginParams { name: string }

const pluginUpdateSchema = bounded(z.looseObject({
  enabled: z.boolean().optional(),
  config: z.unknown().optional(),
  path: z.string().optional(),
  version: z.number().int().optional(),
  placement: z.enum(['pre_builtin', 'post_builtin']).optional(),
  order: z.number().int().optional(),
}).superRefine(maxLengths({ path: ADMIN_LIMITS.path })));

const pluginCreateSchema = bounded(pluginEntrySchema.superRefine(maxLengths({ name: ADMIN_LIMITS.name, path: ADMIN_LIMITS.path })));

export function registerPluginRoutes(app: FastifyInstance, options: AdminOptions): void {
  const { service } = options;
  /** A config the plugin itself would reject is refused here rather than stored and never applied. */
  const checkConfig = (name: string, entry: { enabled?: unknown; config?: unknown }): void => {
    if (entry.enabled === false) return;
    const problems = options.validatePlugin?.(name, entry.config) ?? [];
    if (problems.length > 0) throw badRequest(`invalid config for plugin "${name}": ${problems.join('; ')}`, 'config');
  };
  const live = (): StoredPlugin[] => [...service.contents().plugins.values()].filter((p) => !p.deleted);

  app.get('/api/plugins', async () => {
    const plugins = live().map(pluginResponse);
    return { plugins, count: plugins.length };
  });

  app.get<{ Params: PluginParams }>('/api/plugins/:name', async (request) => {
    const plugin = service.contents().plugins.get(request.params.name);
    if (!plugin || plugin.deleted) throw notFound(`plugin "${request.params.name}"`);
    return pluginResponse(plugin);
  });

  app.post('/api/plugins', async (request) => {
    const entry = parseBody(pluginCreateSchema, request.body);
    checkConfig(entry.name, entry);
    try {
      return await service.update((draft) => {
        const existing = draft.contents.plugins.get(entry.name);
        if (existing && !existing.deleted) throw conflict(`plugin "${entry.name}" already exists; use PUT /api/plugins/${entry.name}`);
        const { name, ...config } = entry;
        const plugin: StoredPlugin = { name, config: config as Json, hash: existing?.hash ?? null, deleted: false };
        draft.contents.plugins.set(name, plugin);
        draft.touchPlugin(name);
        return { message: 'plugin created successfully', plugin: pluginResponse(plugin) };
      });
    } catch (error) {
      return translateStoreError(error);
    }
  });

  app.put<{ Params: PluginParams }>('/api/plugins/:name', async (request) => {
    const patch = parseBody(pluginUpdateSchema, request.body);
    const { name } = request.params;
    try {
      return await service.update((draft) => {
        const existing = draft.contents.plugins.get(name);
        const base: Json = existing && !existing.deleted ? existing.config : { enabled: true };
        const merged = restoreMasked({ ...base, ...(patch as Json) }, base) as Json;
        checkConfig(name, merged as { enabled?: unknown; config?: unknown });
        const plugin: StoredPlugin = { name, config: merged, hash: existing?.hash ?? null, deleted: false };
        draft.contents.plugins.set(name, plugin);
        draft.touchPlugin(name);
        return { message: 'plugin updated successfully', plugin: pluginResponse(plugin) };
      });
    } catch (error) {
      return translateStoreError(error);
    }
  });

  app.delete<{ Params: PluginParams }>('/api/plugins/:name', async (request) => {
    const { name } = request.params;
    try {
      return await service.update((draft) => {
        const existing = draft.contents.plugins.get(name);
        if (!existing || existing.deleted) throw notFound(`plugin "${name}"`);
        draft.contents.plugins.set(name, { ...existing, deleted: true });
        draft.touchPlugin(name);
        return { message: 'plugin deleted successfully' };
      });
    } catch (error) {
      return translateStoreError(error);
    }
  });
}

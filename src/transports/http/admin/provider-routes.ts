// /api/providers and /api/keys. Reads come from the store's cached contents; every write is one
// ConfigService.update(), so it is validated, persisted and then published to live traffic whole.
import type { FastifyInstance } from 'fastify';
import type { StoredProvider } from '../../../storage/config-store/index.js';
import type { AdminOptions } from './context.js';
import { conflict, notFound, translateStoreError } from './errors.js';
import { applyProviderBody } from './provider-body.js';
import { providerResponse, redactKey } from './redact.js';

interface ProviderParams { provider: string }

function liveProviders(options: AdminOptions): StoredProvider[] {
  return [...options.service.contents().providers.values()].filter((p) => !p.deleted).sort((a, b) => a.name.localeCompare(b.name));
}

export function registerProviderRoutes(app: FastifyInstance, options: AdminOptions): void {
  const { service } = options;

  app.get('/api/providers', async () => {
    const providers = liveProviders(options).map(providerResponse);
    return { providers, total: providers.length };
  });

  app.get<{ Params: ProviderParams }>('/api/providers/:provider', async (request) => {
    const provider = service.contents().providers.get(request.params.provider);
    if (!provider || provider.deleted) throw notFound(`provider "${request.params.provider}"`);
    return providerResponse(provider);
  });

  app.post('/api/providers', async (request) => {
    const name = typeof (request.body as { provider?: unknown } | null)?.provider === 'string' ? (request.body as { provider: string }).provider : '';
    try {
      return await service.update((draft) => {
        const existing = draft.contents.providers.get(name);
        const next = applyProviderBody(name, request.body, { existing, env: options.env, create: true });
        if (existing && !existing.deleted) throw conflict(`provider "${name}" already exists; use PUT /api/providers/${name}`);
        draft.contents.providers.set(next.name, next);
        draft.touchProvider(next.name);
        return providerResponse(next);
      });
    } catch (error) {
      return translateStoreError(error);
    }
  });

  app.put<{ Params: ProviderParams }>('/api/providers/:provider', async (request) => {
    const name = request.params.provider;
    try {
      return await service.update((draft) => {
        const next = applyProviderBody(name, request.body, { existing: draft.contents.providers.get(name), env: options.env, create: false });
        draft.contents.providers.set(name, next);
        draft.touchProvider(name);
        return providerResponse(next);
      });
    } catch (error) {
      return translateStoreError(error);
    }
  });

  app.delete<{ Params: ProviderParams }>('/api/providers/:provider', async (request) => {
    const name = request.params.provider;
    try {
      return await service.update((draft) => {
        const existing = draft.contents.providers.get(name);
        if (!existing || existing.deleted) throw notFound(`provider "${name}"`);
        // A tombstone, so a provider from config.json stays deleted across restarts.
        const deleted = { ...existing, deleted: true };
        draft.contents.providers.set(name, deleted);
        draft.touchProvider(name);
        return providerResponse(deleted);
      });
    } catch (error) {
      return translateStoreError(error);
    }
  });

  app.get('/api/keys', async () => liveProviders(options).flatMap((provider) =>
    provider.keys.filter((key) => !key.deleted).map((key) => redactKey(key, provider.name))));
}

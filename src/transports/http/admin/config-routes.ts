// GET/PUT /api/config (`client_config`, `framework_config`, and `auth_config` with the password
// never shown) and GET /api/version. A PUT merges `client_config` into the stored client config:
// Bifrost's UI sends the whole block, but a script that sends one field must not reset the others
// to their defaults. The merged block is validated by config.json's client schema. The body is
// size-bounded (input-bounds.ts), the username and password by name.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { clientSchema } from '../../../config/index.js';
import { hashPassword } from '../../../security/index.js';
import type { Json } from '../../../storage/config-store/index.js';
import type { AdminOptions } from './context.js';
import { badRequest, parseBody, translateStoreError } from './errors.js';
import { ADMIN_LIMITS, bounded, maxLengths } from './input-bounds.js';
import { MASKED } from './redact.js';

const authConfigSchema = z.looseObject({
  is_enabled: z.boolean(),
  admin_username: z.string().optional(),
  admin_password: z.string().optional(),
  disable_auth_on_inference: z.boolean().optional(),
}).superRefine(maxLengths({ admin_username: ADMIN_LIMITS.name, admin_password: ADMIN_LIMITS.password }));

const configUpdateSchema = bounded(z.looseObject({
  client_config: clientSchema.optional(),
  framework_config: z.looseObject({}).nullable().optional(),
  auth_config: authConfigSchema.optional(),
}));

function isPlainObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `sent` over `stored`: a field sent replaces the stored one, a nested object (header_filter_config)
 * merges the same way, and lists are replaced whole (a list is one setting, not a set of fields).
 */
export function mergeClientConfig(stored: Json | undefined, sent: Json): Json {
  const out: Json = { ...stored };
  for (const [key, value] of Object.entries(sent)) {
    // An own "__proto__" key from JSON.parse would otherwise replace `out`'s prototype.
    if (key === '__proto__') continue;
    const previous = out[key];
    out[key] = isPlainObject(value) && isPlainObject(previous) ? mergeClientConfig(previous, value) : value;
  }
  return out;
}

function authResponse(auth: Json | undefined): Json {
  return {
    is_enabled: auth?.is_enabled === true,
    admin_username: typeof auth?.admin_username === 'string' ? auth.admin_username : '',
    // Only whether one is set; its hash never leaves the server either.
    admin_password: typeof auth?.admin_password_hash === 'string' && auth.admin_password_hash !== '' ? MASKED : '',
  };
}

export function registerConfigRoutes(app: FastifyInstance, options: AdminOptions): void {
  const { service } = options;

  // Bifrost answers with the version as a JSON string.
  app.get('/api/version', async (_request, reply) => reply.type('application/json').send(JSON.stringify(options.version)));

  app.get('/api/config', async () => {
    const { config } = service.current();
    return {
      client_config: config.client,
      framework_config: config.framework ?? {},
      auth_config: authResponse(service.contents().sections.get('auth')?.value),
      is_db_connected: service.persistent,
      is_logs_connected: options.logsConnected?.() ?? false,
    };
  });

  app.put('/api/config', async (request) => {
    const body = parseBody(configUpdateSchema, request.body);
    if (body.client_config === undefined && body.framework_config === undefined && body.auth_config === undefined) {
      throw badRequest('expected at least one of client_config, framework_config, auth_config');
    }
    const auth = body.auth_config;
    if (auth?.is_enabled && !auth.admin_username) throw badRequest('required when auth is enabled', 'auth_config.admin_username');
    const passwordHash = auth?.admin_password && auth.admin_password !== MASKED
      ? await hashPassword(auth.admin_password) : undefined;
    try {
      await service.update((draft) => {
        const { sections } = draft.contents;
        if (body.client_config) {
          // The fields as sent, not the parsed body: parsing filled every omitted field with its default.
          const sent = (request.body as Json).client_config as Json;
          const merged = parseBody(clientSchema, mergeClientConfig(sections.get('client')?.value, sent), 'client_config');
          sections.set('client', { value: merged as Json, hash: sections.get('client')?.hash ?? null });
          draft.touchSection('client');
        }
        if (body.framework_config !== undefined) {
          sections.set('framework', { value: (body.framework_config ?? {}) as Json, hash: sections.get('framework')?.hash ?? null });
          draft.touchSection('framework');
        }
        if (auth) {
          const previous = sections.get('auth');
          const hash = passwordHash ?? (typeof previous?.value.admin_password_hash === 'string' ? previous.value.admin_password_hash : '');
          if (auth.is_enabled && hash === '') throw badRequest('required when auth is enabled', 'auth_config.admin_password');
          sections.set('auth', {
            value: { is_enabled: auth.is_enabled, admin_username: auth.admin_username ?? '', admin_password_hash: hash, disable_auth_on_inference: auth.disable_auth_on_inference === true },
            hash: previous?.hash ?? null,
          });
          draft.touchSection('auth');
        }
      });
    } catch (error) {
      return translateStoreError(error);
    }
    return { status: 'success', message: 'configuration updated successfully' };
  });
}

// Turns a provider body from POST/PUT /api/providers into stored rows: validates each block with
// config.json's own schemas, names keys as the loader does, keeps a stored secret when the caller
// sent back its masked form, resolves `env.X` values, and keeps the config_hash of rows that came
// from config.json (an API edit does not make a file row "changed in the file"). Bodies are
// size-bounded (input-bounds.ts): key names, secrets and the key count by name, the rest as a whole.
import { z } from 'zod';
import type { Env } from '../../../config/index.js';
import { keySchema, networkConfigSchema } from '../../../config/index.js';
import { concurrencySchema } from '../../../config/schema.js';
import type { Json, StoredKey, StoredProvider } from '../../../storage/config-store/index.js';
import { badRequest, parseBody } from './errors.js';
import { ADMIN_LIMITS, bounded, maxLengths } from './input-bounds.js';
import { isUnchangedSecret, restoreMasked } from './redact.js';

const PROVIDER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

const boundedKey = keySchema.superRefine(maxLengths({ name: ADMIN_LIMITS.name, id: ADMIN_LIMITS.name, value: ADMIN_LIMITS.secret }));

const providerBlocks = {
  keys: z.array(boundedKey).max(ADMIN_LIMITS.keys, { message: `must have at most ${ADMIN_LIMITS.keys} items` }).optional(),
  network_config: networkConfigSchema.optional(),
  concurrency_and_buffer_size: concurrencySchema.optional(),
  proxy_config: z.looseObject({ type: z.enum(['none', 'http', 'socks5', 'environment']).optional() }).nullable().optional(),
  custom_provider_config: z.looseObject({
    base_provider_type: z.string().min(1),
    allowed_requests: z.record(z.string(), z.boolean()).optional(),
  }).nullable().optional(),
  send_back_raw_response: z.boolean().optional(),
  store_raw_request_response: z.boolean().optional(),
};

export const providerUpdateSchema = bounded(z.looseObject(providerBlocks));
export const providerCreateSchema = bounded(z.looseObject({
  provider: z.string().regex(PROVIDER_NAME, 'must be a provider name (letters, digits, _ . -)'),
  ...providerBlocks,
}));

const CONFIG_BLOCKS = Object.keys(providerBlocks).filter((field) => field !== 'keys');

type KeyInput = z.output<typeof keySchema>;

function storedKeys(provider: string, inputs: KeyInput[], options: { previous: StoredKey[]; env: Env }): StoredKey[] {
  const names = new Set<string>();
  const keys = inputs.map((input, index): StoredKey => {
    const name = input.name ?? `${provider}-key-${index}`;
    const id = input.id ?? name;
    if (names.has(name)) throw badRequest(`duplicate key name "${name}"`, `keys[${index}].name`);
    names.add(name);
    // `provider` is what GET /api/keys adds to each key; it is not part of a key.
    const { name: _n, id: _i, value: incoming, provider: _p, ...config } = input;
    const previous = options.previous.find((key) => !key.deleted && (key.id === id || key.name === name));
    let value = incoming;
    let valueEnv: string | null = null;
    if (previous && isUnchangedSecret(incoming, previous)) {
      value = previous.value;
      valueEnv = previous.valueEnv;
    } else if (incoming.startsWith('env.') && incoming.length > 4) {
      valueEnv = incoming.slice(4);
      const resolved = options.env[valueEnv];
      if (resolved === undefined || resolved === '') throw badRequest(`environment variable ${valueEnv} is not set`, `keys[${index}].value`);
      value = resolved;
    }
    const fileKey = options.previous.find((key) => key.name === name);
    const settings = previous ? restoreMasked(config, previous.config) as Json : config as Json;
    return { name, id, value, valueEnv, config: settings, hash: fileKey?.hash ?? null, deleted: false };
  });
  // A key from config.json removed through the API stays removed across restarts (tombstone).
  const tombstones = options.previous
    .filter((key) => key.hash !== null && !names.has(key.name))
    .map((key) => ({ ...key, deleted: true }));
  return [...keys, ...tombstones];
}

/** The provider as stored after applying `body` to `existing` (undefined = create). */
export function applyProviderBody(name: string, body: unknown, options: { existing: StoredProvider | undefined; env: Env; create: boolean }): StoredProvider {
  const parsed: Json = options.create ? parseBody(providerCreateSchema, body) : parseBody(providerUpdateSchema, body);
  const live = options.existing && !options.existing.deleted ? options.existing : undefined;
  const config: Json = live ? { ...live.config } : {};
  for (const block of CONFIG_BLOCKS) {
    if (!(block in parsed)) continue;
    if (parsed[block] === null) delete config[block];
    else config[block] = restoreMasked(parsed[block], config[block]);
  }
  const previousKeys = options.existing?.keys ?? [];
  const keys = parsed.keys === undefined
    ? (live ? live.keys : previousKeys.filter((key) => key.deleted))
    : storedKeys(name, parsed.keys as KeyInput[], { previous: previousKeys, env: options.env });
  return { name, config, hash: options.existing?.hash ?? null, deleted: false, keys };
}

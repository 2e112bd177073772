// How a Bifrost `config_store` / `logs_store` block reads: absent → SQLite `<appDir>/<file>`,
// `enabled: false` → no store, otherwise SQLite or PostgreSQL settings, validated with the key path
// of the first problem. Kept apart from database.ts so deciding whether a store exists costs no
// database driver: the gateway loads kysely and a driver only for a store it really opens.
import { join, isAbsolute } from 'node:path';
import { z } from 'zod';

export type DatabaseKind = 'sqlite' | 'postgres';

const sslModes = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;

const sqliteConfigSchema = z.looseObject({ path: z.string().min(1) });

// Bifrost writes the port as a string; numbers are accepted too.
const postgresConfigSchema = z.looseObject({
  host: z.string().min(1),
  port: z.union([z.string().regex(/^\d+$/), z.number().int().positive()]).default('5432'),
  user: z.string().min(1),
  password: z.string().optional(),
  // Runs at each new connection, so rotating credentials (cloud IAM tokens) keep working.
  password_command: z.looseObject({
    command: z.string().min(1),
    args: z.array(z.string()).default([]),
    timeout: z.union([z.number().positive(), z.string().regex(/^\d+(ms|s|m)$/)]).optional(),
  }).optional(),
  db_name: z.string().min(1),
  ssl_mode: z.enum(sslModes).default('disable'),
  max_idle_conns: z.number().int().nonnegative().default(5),
  max_open_conns: z.number().int().positive().default(50),
});

export type SqliteStoreConfig = z.output<typeof sqliteConfigSchema>;
export type PostgresStoreConfig = z.output<typeof postgresConfigSchema>;

export type StoreSpec =
  | { type: 'sqlite'; config: SqliteStoreConfig }
  | { type: 'postgres'; config: PostgresStoreConfig };

const storeBlockSchema = z.looseObject({
  enabled: z.boolean().default(true),
  type: z.enum(['sqlite', 'postgres']).default('sqlite'),
  config: z.looseObject({}).optional(),
});

/** A store block that failed validation; `path` names the offending key (e.g. `config_store.config.host`). */
export class StoreConfigError extends Error {
  constructor(readonly path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'StoreConfigError';
  }
}

function firstIssue(error: z.ZodError, prefix: string): StoreConfigError {
  const issue = error.issues[0];
  const at = [prefix, ...(issue?.path ?? []).map(String)].join('.');
  return new StoreConfigError(at, issue?.message ?? 'invalid');
}

export interface StoreBlockOptions {
  /** `config_store` or `logs_store`, for error messages. */
  name: string;
  /** Directory that relative SQLite paths and the default file live in. */
  appDir: string;
  /** Default SQLite file name (`config.db` / `logs.db`). */
  defaultFile: string;
}

/**
 * Reads a store block as Bifrost does: absent → SQLite `<appDir>/<defaultFile>`;
 * `enabled: false` → undefined (file-only / no logs store).
 */
export function parseStoreBlock(block: unknown, options: StoreBlockOptions): StoreSpec | undefined {
  const defaultPath = join(options.appDir, options.defaultFile);
  if (block === undefined || block === null) return { type: 'sqlite', config: { path: defaultPath } };
  const parsed = storeBlockSchema.safeParse(block);
  if (!parsed.success) throw firstIssue(parsed.error, options.name);
  if (!parsed.data.enabled) return undefined;
  const raw = parsed.data.config ?? {};
  if (parsed.data.type === 'sqlite') {
    const config = sqliteConfigSchema.safeParse({ path: defaultPath, ...raw });
    if (!config.success) throw firstIssue(config.error, `${options.name}.config`);
    // SQLite's `:memory:` is a database, not a file name: keep it as is (tests, throwaway runs).
    const path = config.data.path === ':memory:' || isAbsolute(config.data.path) ? config.data.path : join(options.appDir, config.data.path);
    return { type: 'sqlite', config: { ...config.data, path } };
  }
  const config = postgresConfigSchema.safeParse(raw);
  if (!config.success) throw firstIssue(config.error, `${options.name}.config`);
  return { type: 'postgres', config: config.data };
}

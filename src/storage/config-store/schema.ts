// The config store's tables and their migrations. Every row that can come from config.json carries
// `config_hash` (hash of the file's version when it was last written from the file) and a `deleted`
// tombstone, which is what the "split" reconcile needs to tell file changes from API edits.
// Secret-bearing columns hold sealed values and say so in `encryption_status`.
import type { Migration } from '../migrations.js';

export type EncryptionStatus = 'plain_text' | 'encrypted';

export interface EncryptionTable {
  id: number;
  salt: string;
  key_check: string | null;
  created_at: number;
}

export interface SectionTable {
  section: string;
  value: string;
  config_hash: string | null;
  updated_at: number;
}

export interface ProviderTable {
  name: string;
  /** Sealed JSON of the provider entry without `keys`. */
  config: string;
  encryption_status: EncryptionStatus;
  config_hash: string | null;
  deleted: number;
  updated_at: number;
}

export interface KeyTable {
  provider: string;
  name: string;
  key_id: string;
  /** Sealed secret (or plaintext when no encryption key is configured). */
  value: string;
  /** Env var the value comes from, when given as `env.X`. */
  value_env: string | null;
  encryption_status: EncryptionStatus;
  /** Sealed JSON of the key without name, id and value (models, weight, enabled, cloud credentials...). */
  config: string;
  config_hash: string | null;
  deleted: number;
  position: number;
  updated_at: number;
}

export interface PluginTable {
  name: string;
  /** Sealed JSON of the plugin entry without `name`. */
  config: string;
  encryption_status: EncryptionStatus;
  config_hash: string | null;
  deleted: number;
  position: number;
  updated_at: number;
}

export interface SessionTable {
  token_hash: string;
  expires_at: number;
}

export interface ConfigTables {
  config_encryption: EncryptionTable;
  config_sections: SectionTable;
  config_providers: ProviderTable;
  config_keys: KeyTable;
  config_plugins: PluginTable;
  config_sessions: SessionTable;
}

export const CONFIG_STORE = 'config';

export const configMigrations: readonly Migration[] = [
  {
    name: '001_config_tables',
    async up({ db }) {
      await db.schema.createTable('config_encryption')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('salt', 'varchar(64)', (c) => c.notNull())
        .addColumn('key_check', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createTable('config_sections')
        .addColumn('section', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('config_hash', 'varchar(64)')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createTable('config_providers')
        .addColumn('name', 'varchar(255)', (c) => c.primaryKey())
        .addColumn('config', 'text', (c) => c.notNull())
        .addColumn('config_hash', 'varchar(64)')
        .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createTable('config_keys')
        .addColumn('provider', 'varchar(255)', (c) => c.notNull())
        .addColumn('name', 'varchar(255)', (c) => c.notNull())
        .addColumn('key_id', 'varchar(255)', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('value_env', 'varchar(255)')
        .addColumn('encryption_status', 'varchar(16)', (c) => c.notNull())
        .addColumn('config', 'text', (c) => c.notNull())
        .addColumn('config_hash', 'varchar(64)')
        .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('config_keys_pk', ['provider', 'name'])
        .execute();
      await db.schema.createTable('config_plugins')
        .addColumn('name', 'varchar(255)', (c) => c.primaryKey())
        .addColumn('config', 'text', (c) => c.notNull())
        .addColumn('encryption_status', 'varchar(16)', (c) => c.notNull())
        .addColumn('config_hash', 'varchar(64)')
        .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createTable('config_sessions')
        .addColumn('token_hash', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  {
    name: '002_seal_provider_config',
    async up({ db }) {
      await db.schema.alterTable('config_providers')
        .addColumn('encryption_status', 'varchar(16)', (c) => c.notNull().defaultTo('plain_text'))
        .execute();
    },
  },
];

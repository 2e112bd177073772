// Reads and writes the config store's rows. Secrets are sealed with the store's Cipher on the way in
// and opened on the way out, so nothing above this file sees ciphertext and nothing below it sees
// plaintext. Writes of one admin change go through `write()` in a single transaction.
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Cipher } from '../../security/index.js';
import { bumpVersion, readVersion } from '../config-sync/versions.js';
import type { Database, DatabaseKind } from '../database.js';
import type { Json, StoreContents, StoredKey, StoredPlugin, StoredProvider, StoredSection } from './contents.js';
import { emptyContents } from './contents.js';
import type { ConfigTables, EncryptionStatus } from './schema.js';

type Tx = Transaction<ConfigTables>;

function parseJson(text: string, where: string): Json {
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${where}: stored JSON is not an object`);
  return value as Json;
}

export class ConfigRepository {
  readonly #db: Kysely<ConfigTables>;
  readonly #cipher: Cipher;
  readonly #kind: DatabaseKind;
  readonly #database: Database;

  constructor(database: Database, cipher: Cipher) {
    this.#database = database;
    this.#db = database.typed<ConfigTables>();
    this.#cipher = cipher;
    this.#kind = database.kind;
  }

  get #status(): EncryptionStatus {
    return this.#cipher.encrypted ? 'encrypted' : 'plain_text';
  }

  #open(value: string, status: string): string {
    return status === 'encrypted' ? this.#cipher.open(value) : value;
  }

  async load(db: Kysely<ConfigTables> = this.#db): Promise<StoreContents> {
    const contents = emptyContents();
    const sections = await db.selectFrom('config_sections').selectAll().execute();
    const providers = await db.selectFrom('config_providers').selectAll().orderBy('name').execute();
    const keys = await db.selectFrom('config_keys').selectAll().orderBy('provider').orderBy('position').execute();
    const plugins = await db.selectFrom('config_plugins').selectAll().orderBy('position').orderBy('name').execute();
    for (const row of sections) {
      contents.sections.set(row.section, { value: parseJson(row.value, `section ${row.section}`), hash: row.config_hash });
    }
    for (const row of providers) {
      contents.providers.set(row.name, {
        name: row.name, config: parseJson(this.#open(row.config, row.encryption_status), `provider ${row.name}`),
        hash: row.config_hash, deleted: row.deleted !== 0, keys: [],
      });
    }
    for (const row of keys) {
      const provider = contents.providers.get(row.provider);
      if (!provider) continue;
      provider.keys.push({
        name: row.name, id: row.key_id, value: this.#open(row.value, row.encryption_status), valueEnv: row.value_env,
        config: parseJson(this.#open(row.config, row.encryption_status), `key ${row.provider}/${row.name}`), hash: row.config_hash, deleted: row.deleted !== 0,
      });
    }
    for (const row of plugins) {
      const config = parseJson(this.#open(row.config, row.encryption_status), `plugin ${row.name}`);
      contents.plugins.set(row.name, { name: row.name, config, hash: row.config_hash, deleted: row.deleted !== 0 });
    }
    return contents;
  }

  /** Runs `fn` with a writer inside one transaction. */
  async write<T>(fn: (writer: ConfigWriter) => Promise<T>): Promise<T> {
    return (await this.writeVersioned(fn)).result;
  }

  /**
   * Like `write`, and bumps the 'config' section's version in the same transaction (config sync:
   * other replicas are notified at commit). Returns the version this write made.
   */
  async writeVersioned<T>(fn: (writer: ConfigWriter) => Promise<T>): Promise<{ result: T; version: number }> {
    return this.#db.transaction().execute(async (trx) => {
      const result = await fn(new ConfigWriter(trx, this.#cipher, {
        status: this.#status, kind: this.#kind, load: (db) => this.load(db),
      }));
      const version = await bumpVersion(trx, this.#database, 'config');
      return { result, version };
    });
  }

  /** The stored 'config' section version (config sync compares it with the one in memory). */
  version(): Promise<number> {
    return readVersion(this.#database.db, 'config');
  }

  /** Rows written before a key was configured are sealed now, so no plaintext secret is left behind. */
  async sealPlaintextRows(): Promise<number> {
    if (!this.#cipher.encrypted) return 0;
    const contents = await this.load();
    const plainKeys = await this.#db.selectFrom('config_keys').select(['provider']).where('encryption_status', '=', 'plain_text')
      .union(this.#db.selectFrom('config_providers').select(['name as provider']).where('encryption_status', '=', 'plain_text')).execute();
    const plainPlugins = await this.#db.selectFrom('config_plugins').select(['name']).where('encryption_status', '=', 'plain_text').execute();
    if (plainKeys.length === 0 && plainPlugins.length === 0) return 0;
    await this.write(async (writer) => {
      for (const name of new Set(plainKeys.map((row) => row.provider))) {
        const provider = contents.providers.get(name);
        if (provider) await writer.putProvider(provider);
      }
      const ordered = [...contents.plugins.values()];
      for (const row of plainPlugins) {
        const plugin = contents.plugins.get(row.name);
        if (plugin) await writer.putPlugin(plugin, ordered.indexOf(plugin));
      }
    });
    return plainKeys.length + plainPlugins.length;
  }
}

interface WriterOptions {
  status: EncryptionStatus;
  kind: DatabaseKind;
  load: (db: Kysely<ConfigTables>) => Promise<StoreContents>;
}

// Second half of the advisory lock key that serializes config writers across replicas.
const WRITE_LOCK: [number, number] = [0x42_46_52_53, 0x43_46_47_57];

export class ConfigWriter {
  private readonly status: EncryptionStatus;

  constructor(private readonly trx: Tx, private readonly cipher: Cipher, private readonly options: WriterOptions) {
    this.status = options.status;
  }

  /**
   * Takes the store-wide write lock for this transaction, so writers on every replica run one at a
   * time: PostgreSQL's transaction advisory lock, SQLite's write lock (taken by a no-op write).
   */
  async lock(): Promise<void> {
    if (this.options.kind === 'postgres') await sql`select pg_advisory_xact_lock(${WRITE_LOCK[0]}, ${WRITE_LOCK[1]})`.execute(this.trx);
    else await this.trx.updateTable('config_encryption').set({ id: 1 }).where('id', '=', -1).execute();
  }

  /** The store's current contents as seen inside this transaction (other replicas' edits included). */
  load(): Promise<StoreContents> {
    return this.options.load(this.trx);
  }

  async putSection(section: string, value: StoredSection): Promise<void> {
    const row = { value: JSON.stringify(value.value), config_hash: value.hash, updated_at: Date.now() };
    await this.trx.insertInto('config_sections').values({ section, ...row })
      .onConflict((oc) => oc.column('section').doUpdateSet(row)).execute();
  }

  /** Writes the provider row and replaces all its key rows. */
  async putProvider(provider: StoredProvider): Promise<void> {
    const now = Date.now();
    // Provider and key settings are sealed whole: they carry proxy passwords, auth headers and
    // cloud credentials (azure/bedrock/vertex key configs), not only the key value.
    const row = {
      config: this.cipher.seal(JSON.stringify(provider.config)), encryption_status: this.status,
      config_hash: provider.hash, deleted: provider.deleted ? 1 : 0, updated_at: now,
    };
    await this.trx.insertInto('config_providers').values({ name: provider.name, ...row })
      .onConflict((oc) => oc.column('name').doUpdateSet(row)).execute();
    await this.trx.deleteFrom('config_keys').where('provider', '=', provider.name).execute();
    if (provider.keys.length === 0) return;
    await this.trx.insertInto('config_keys').values(provider.keys.map((key: StoredKey, position) => ({
      provider: provider.name, name: key.name, key_id: key.id, value: this.cipher.seal(key.value), value_env: key.valueEnv,
      encryption_status: this.status, config: this.cipher.seal(JSON.stringify(key.config)), config_hash: key.hash,
      deleted: key.deleted ? 1 : 0, position, updated_at: now,
    }))).execute();
  }

  async putPlugin(plugin: StoredPlugin, position: number): Promise<void> {
    const row = {
      config: this.cipher.seal(JSON.stringify(plugin.config)), encryption_status: this.status, config_hash: plugin.hash,
      deleted: plugin.deleted ? 1 : 0, position, updated_at: Date.now(),
    };
    await this.trx.insertInto('config_plugins').values({ name: plugin.name, ...row })
      .onConflict((oc) => oc.column('name').doUpdateSet(row)).execute();
  }
}

// The config store as the rest of the gateway sees it. At startup it opens the keyring, runs the
// migrations, reconciles config.json into the store and builds the first snapshot. Afterwards the
// in-memory contents are the cache that serves traffic; admin changes go through `update()`, which
// runs one change at a time: edit a copy → validate by building the next snapshot → persist in one
// transaction → swap the cache → publish. A change that fails validation or cannot be persisted
// leaves the live config untouched. Without a database (config_store.enabled: false) the file is
// the only source and `update()` refuses, as Bifrost's file-only mode does.
import { type Env, type LoadedConfig } from '../../config/index.js';
import type { Logger } from '../../core/index.js';
import { silentLogger } from '../../core/index.js';
import { type Cipher, plaintextCipher } from '../../security/index.js';
import type { Database } from '../database.js';
import { migrate } from '../migrations.js';
import { cloneContents, emptyContents, type StoreContents } from './contents.js';
import { openKeyring } from './keyring.js';
import { reconcile, type SourceOfTruth } from './reconcile.js';
import { ConfigRepository } from './repository.js';
import { CONFIG_STORE, configMigrations } from './schema.js';
import { buildSnapshot } from './snapshot.js';

export class ConfigStoreDisabledError extends Error {
  constructor() {
    super('the config store is disabled (config_store.enabled is false): edit config.json and restart to change the configuration');
    this.name = 'ConfigStoreDisabledError';
  }
}

/** The database refused a write; the live configuration was not changed. */
export class ConfigStoreWriteError extends Error {
  constructor(cause: unknown) {
    super(`config store unavailable: ${(cause as Error).message ?? String(cause)}`, { cause });
    this.name = 'ConfigStoreWriteError';
  }
}

export interface ConfigServiceOptions {
  /** config.json as loaded by src/config. */
  file: LoadedConfig;
  env: Env;
  /** The config store's database; undefined = file-only mode. */
  database?: Database | undefined;
  encryptionKey?: string | undefined;
  logger?: Logger;
}

/** Marks what an `update()` changed so only those rows are written. */
export interface Draft {
  readonly contents: StoreContents;
  touchSection(name: string): void;
  touchProvider(name: string): void;
  touchPlugin(name: string): void;
}

export type SnapshotListener = (snapshot: LoadedConfig) => void;

export class ConfigService {
  #contents: StoreContents;
  #snapshot: LoadedConfig;
  #queue: Promise<unknown> = Promise.resolve();
  readonly #listeners = new Set<SnapshotListener>();

  private constructor(
    private readonly options: ConfigServiceOptions,
    private readonly repository: ConfigRepository | undefined,
    readonly cipher: Cipher,
    contents: StoreContents,
  ) {
    this.#contents = contents;
    this.#snapshot = buildSnapshot(contents, options.file, options.env);
  }

  static async open(options: ConfigServiceOptions): Promise<ConfigService> {
    const logger = options.logger ?? silentLogger;
    const mode: SourceOfTruth = options.file.config.source_of_truth ?? 'split';
    const { database } = options;
    if (!database) {
      const contents = emptyContents();
      await reconcile(contents, options.file, 'config.json');
      return new ConfigService(options, undefined, plaintextCipher, contents);
    }
    await migrate(database, CONFIG_STORE, configMigrations);
    const cipher = await openKeyring(database, { encryptionKey: options.encryptionKey, logger });
    const repository = new ConfigRepository(database, cipher);
    const sealed = await repository.sealPlaintextRows();
    if (sealed > 0) logger.info({ rows: sealed }, 'encrypted secrets stored before an encryption key was configured');
    const contents = await repository.load();
    const changed = await reconcile(contents, options.file, mode);
    const service = new ConfigService(options, repository, cipher, contents);
    await service.#persist(contents, changed);
    logger.info({ store: database.describe(), providers: changed.providers.size, plugins: changed.plugins.size, sections: changed.sections.size, mode },
      'config.json reconciled into the config store');
    return service;
  }

  /** True when changes are persisted (a config store is enabled). */
  get persistent(): boolean {
    return this.repository !== undefined;
  }

  get database(): Database | undefined {
    return this.options.database;
  }

  /** The live snapshot (config + env references for redaction). */
  current(): LoadedConfig {
    return this.#snapshot;
  }

  /** The stored rows (read-only use: admin GETs need tombstones and hashes too). */
  contents(): Readonly<StoreContents> {
    return this.#contents;
  }

  subscribe(listener: SnapshotListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Applies one change atomically (see file comment). Changes run strictly one after another. */
  update<T>(change: (draft: Draft) => T | Promise<T>): Promise<T> {
    const run = this.#queue.then(() => this.#apply(change));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #apply<T>(change: (draft: Draft) => T | Promise<T>): Promise<T> {
    if (!this.repository) throw new ConfigStoreDisabledError();
    const touched = { sections: new Set<string>(), providers: new Set<string>(), plugins: new Set<string>() };
    const contents = cloneContents(this.#contents);
    const result = await change({
      contents,
      touchSection: (name) => touched.sections.add(name),
      touchProvider: (name) => touched.providers.add(name),
      touchPlugin: (name) => touched.plugins.add(name),
    });
    const snapshot = buildSnapshot(contents, this.options.file, this.options.env);
    try {
      await this.#persist(contents, touched);
    } catch (error) {
      throw new ConfigStoreWriteError(error);
    }
    this.#contents = contents;
    this.#snapshot = snapshot;
    for (const listener of [...this.#listeners]) {
      try {
        listener(snapshot);
      } catch (error) {
        (this.options.logger ?? silentLogger).error({ err: (error as Error).message }, 'config listener failed');
      }
    }
    return result;
  }

  async #persist(contents: StoreContents, touched: { sections: Set<string>; providers: Set<string>; plugins: Set<string> }): Promise<void> {
    if (!this.repository) return;
    if (touched.sections.size + touched.providers.size + touched.plugins.size === 0) return;
    await this.repository.write(async (writer) => {
      for (const name of touched.sections) {
        const section = contents.sections.get(name);
        if (section) await writer.putSection(name, section);
      }
      for (const name of touched.providers) {
        const provider = contents.providers.get(name);
        if (provider) await writer.putProvider(provider);
      }
      const plugins = [...contents.plugins.values()];
      for (const [position, plugin] of plugins.entries()) {
        if (touched.plugins.has(plugin.name)) await writer.putPlugin(plugin, position);
      }
    });
  }
}

// The config store as the rest of the gateway sees it. At startup it opens the keyring, runs the
// migrations, reconciles config.json into the store and builds the first snapshot. Afterwards the
// in-memory contents are the cache that serves traffic; admin changes go through `update()`, which
// runs one change at a time, in one transaction under a store-wide write lock (so replicas sharing
// a database serialize too): load the stored rows → edit → validate by building the next snapshot
// → write → commit → swap the cache → publish. A change that fails validation or cannot be persisted
// leaves the live config untouched. Without a database (config_store.enabled: false) the file is
// the only source and `update()` refuses, as Bifrost's file-only mode does.
import { type Env, type LoadedConfig } from '../../config/index.js';
import type { Logger } from '../../core/index.js';
import { silentLogger } from '../../core/index.js';
import { type Cipher, plaintextCipher } from '../../security/index.js';
import { announceLocalWrite } from '../config-sync/local.js';
import type { Database } from '../database.js';
import { configHash, emptyContents, type StoreContents } from './contents.js';
import { warnPlaintextSecrets } from './plaintext-warning.js';
import { reconcile, type SourceOfTruth } from './reconcile.js';
import type { ConfigRepository, ConfigWriter } from './repository.js';
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
  /** The stored 'config' version the cache reflects (at least); config sync reloads when the store's is newer. */
  #version: number;

  private constructor(
    private readonly options: ConfigServiceOptions,
    private readonly repository: ConfigRepository | undefined,
    readonly cipher: Cipher,
    contents: StoreContents,
    version = 0,
  ) {
    this.#version = version;
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
    // The store's own modules (kysely queries, the keyring) load only with a database: file-only mode never runs them.
    const [{ migrate }, { CONFIG_STORE, configMigrations }, { openKeyring }, { ConfigRepository }, { ensureVersionTable }] = await Promise.all([
      import('../migrations.js'), import('./schema.js'), import('./keyring.js'), import('./repository.js'), import('../config-sync/versions.js'),
    ]);
    await migrate(database, CONFIG_STORE, configMigrations);
    await ensureVersionTable(database);
    const cipher = await openKeyring(database, { encryptionKey: options.encryptionKey });
    const repository = new ConfigRepository(database, cipher);
    const sealed = await repository.sealPlaintextRows();
    if (sealed > 0) logger.info({ rows: sealed }, 'encrypted secrets stored before an encryption key was configured');
    // The version is read before the rows: the rows are at least that new (a later notice of a
    // write already loaded here costs one redundant refresh, never a missed one).
    let version = await repository.version();
    const contents = await repository.load();
    const changed = await reconcile(contents, options.file, mode);
    if (changed.sections.size + changed.providers.size + changed.plugins.size > 0) {
      const written = await repository.writeVersioned((writer) => persistTouched(writer, contents, changed));
      // The next version: nobody wrote between the load and this write, so the cache is current.
      if (written.version === version + 1) version = written.version;
    }
    const service = new ConfigService(options, repository, cipher, contents, version);
    logger.info({ store: database.describe(), providers: changed.providers.size, plugins: changed.plugins.size, sections: changed.sections.size, mode },
      'config.json reconciled into the config store');
    if (!cipher.encrypted) warnPlaintextSecrets(contents, database, logger);
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

  /** The stored 'config' version the live snapshot reflects (0 in file-only mode). */
  get version(): number {
    return this.#version;
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

  /**
   * Re-reads the stored rows and publishes a new snapshot when they changed (another replica wrote).
   * Cluster config sync calls this on a change notice; it queues behind local writes.
   */
  refresh(): Promise<boolean> {
    const run = this.#queue.then(async () => {
      if (!this.repository) return false;
      let contents: StoreContents;
      let version: number;
      try {
        version = await this.repository.version();
        contents = await this.repository.load();
      } catch (error) {
        throw new ConfigStoreWriteError(error);
      }
      this.#version = Math.max(this.#version, version);
      if (fingerprint(contents) === fingerprint(this.#contents)) return false;
      this.#publish(contents, buildSnapshot(contents, this.options.file, this.options.env));
      return true;
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #publish(contents: StoreContents, snapshot: LoadedConfig): void {
    this.#contents = contents;
    this.#snapshot = snapshot;
    for (const listener of [...this.#listeners]) {
      try {
        listener(snapshot);
      } catch (error) {
        (this.options.logger ?? silentLogger).error({ err: (error as Error).message }, 'config listener failed');
      }
    }
  }

  async #apply<T>(change: (draft: Draft) => T | Promise<T>): Promise<T> {
    const repository = this.repository;
    if (!repository) throw new ConfigStoreDisabledError();
    // Errors of the change itself (validation, not found, ...) pass through; anything else is the database's.
    let changeError: { error: unknown } | undefined;
    let outcome: { result: { result: T; contents: StoreContents; snapshot: LoadedConfig }; version: number };
    try {
      outcome = await repository.writeVersioned(async (writer) => {
        await writer.lock();
        // Start from the stored rows, not the cache: another replica may have written since.
        const contents = await writer.load();
        const touched: Touched = { sections: new Set(), providers: new Set(), plugins: new Set() };
        let result: T;
        let snapshot: LoadedConfig;
        try {
          result = await change({
            contents,
            touchSection: (name) => touched.sections.add(name),
            touchProvider: (name) => touched.providers.add(name),
            touchPlugin: (name) => touched.plugins.add(name),
          });
          snapshot = buildSnapshot(contents, this.options.file, this.options.env);
        } catch (error) {
          changeError = { error };
          throw error;
        }
        await persistTouched(writer, contents, touched);
        return { result, contents, snapshot };
      });
    } catch (error) {
      if (changeError) throw changeError.error;
      throw new ConfigStoreWriteError(error);
    }
    // The write started from the stored rows under the store-wide lock: the cache now equals the
    // store at the version it made, whatever other replicas wrote before.
    this.#version = Math.max(this.#version, outcome.version);
    this.#publish(outcome.result.contents, outcome.result.snapshot);
    if (this.options.database) announceLocalWrite(this.options.database, 'config', outcome.version);
    return outcome.result.result;
  }
}

/** Equal for equal contents regardless of map insertion order (plugin order does matter). */
function fingerprint(contents: StoreContents): string {
  const byName = <T>(map: Map<string, T>) => [...map].sort(([a], [b]) => a.localeCompare(b));
  return configHash([byName(contents.sections), byName(contents.providers), [...contents.plugins]]);
}

interface Touched {
  sections: Set<string>;
  providers: Set<string>;
  plugins: Set<string>;
}

async function persistTouched(writer: ConfigWriter, contents: StoreContents, touched: Touched): Promise<void> {
  for (const name of touched.sections) {
    const section = contents.sections.get(name);
    if (section) await writer.putSection(name, section);
  }
  for (const name of touched.providers) {
    const provider = contents.providers.get(name);
    if (provider) await writer.putProvider(provider);
  }
  for (const [position, plugin] of [...contents.plugins.values()].entries()) {
    if (touched.plugins.has(plugin.name)) await writer.putPlugin(plugin, position);
  }
}

// Public surface of src/storage: opening a database from a store block and running a store's
// migrations. The config store, logs store (O) and governance store (GV) build on these.
export {
  openDatabase, parseStoreBlock, StoreConfigError,
  type Database, type DatabaseKind, type StoreSpec, type SqliteStoreConfig, type PostgresStoreConfig,
  type OpenOptions, type StoreBlockOptions,
} from './database.js';
export { migrate, type Migration, type MigrationContext } from './migrations.js';

// Public surface of src/storage: opening a database from a store block and running a store's
// migrations. The config store, logs store (O) and governance store (GV) build on these.
export { openDatabase, type Database, type OpenOptions } from './database.js';
export {
  parseStoreBlock, StoreConfigError,
  type DatabaseKind, type StoreSpec, type SqliteStoreConfig, type PostgresStoreConfig, type StoreBlockOptions,
} from './store-block.js';
export { migrate, type Migration, type MigrationContext } from './migrations.js';

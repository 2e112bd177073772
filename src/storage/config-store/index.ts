// Public surface of the config store: the service main.ts opens, the row shapes the admin API edits,
// and the errors it maps to HTTP statuses.
export { ConfigService, ConfigStoreDisabledError, ConfigStoreWriteError, type ConfigServiceOptions, type Draft, type SnapshotListener } from './service.js';
export { EncryptionKeyError } from './keyring.js';
export { configHash, type StoreContents, type StoredKey, type StoredPlugin, type StoredProvider, type StoredSection, type Json } from './contents.js';
export { providerFromFile, keysFromFile, type SourceOfTruth } from './reconcile.js';
export { CONFIG_STORE, configMigrations, type ConfigTables } from './schema.js';

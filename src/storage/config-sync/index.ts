// Public surface of config sync: live config on every replica sharing a config store (issue #21).
export {
  startConfigSync, configTarget, CONFIG_TOPIC,
  type ConfigSync, type ConfigSyncChange, type ConfigSyncOptions, type ConfigSyncStatus, type SyncSource, type SyncTarget,
} from './sync.js';
export { CONFIG_CHANNEL, readVersions, formatNotice, parseNotice, type VersionNotice } from './versions.js';
export { nodeIdOf, setNodeId, type SyncSectionName } from './local.js';

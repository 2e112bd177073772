// Without an encryption key the config store keeps provider keys as they are (Bifrost's default),
// so anyone who can read the database file can read them. Said once at startup, and only when a
// key is actually stored: naming the file and the two ways to set a key.
import type { Logger } from '../../core/index.js';
import type { Database } from '../database.js';
import type { StoreContents } from './contents.js';

export function warnPlaintextSecrets(contents: StoreContents, database: Database, logger: Logger): void {
  let keys = 0;
  for (const provider of contents.providers.values()) {
    if (provider.deleted) continue;
    for (const key of provider.keys) if (!key.deleted && key.value !== '') keys += 1;
  }
  if (keys === 0) return;
  const where = database.file ?? database.describe();
  logger.warn({ store: where, keys },
    `no encryption key: ${keys} provider key value(s) are stored unencrypted in ${where}; set "encryption_key" in config.json `
    + '(e.g. "encryption_key": "env.BIFROST_ENCRYPTION_KEY") or the BIFROST_ENCRYPTION_KEY environment variable, '
    + 'and they are encrypted at the next start');
}

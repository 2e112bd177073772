// Turns the configured encryption key into the store's Cipher and guards against a wrong key. The
// first process to use a database stores a random salt (and, with a key, a key-check value); every
// later start derives the key with that salt and must open the check, or startup fails with a clear
// message. Without a key the store keeps plaintext, as Bifrost does; the service warns once it
// knows whether any secret is actually stored that way.
import { aesGcmCipher, type Cipher, deriveKey, makeKeyCheck, newSalt, plaintextCipher, verifyKeyCheck } from '../../security/index.js';
import type { Database } from '../database.js';
import type { ConfigTables } from './schema.js';

export class EncryptionKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EncryptionKeyError';
  }
}

export interface KeyringOptions {
  /** The resolved `encryption_key` / BIFROST_ENCRYPTION_KEY, or undefined. */
  encryptionKey: string | undefined;
}

/** Returns the cipher for this database's secrets, or throws EncryptionKeyError. */
export async function openKeyring(database: Database, options: KeyringOptions): Promise<Cipher> {
  const db = database.typed<ConfigTables>();
  await db.insertInto('config_encryption')
    .values({ id: 1, salt: newSalt(), key_check: null, created_at: Date.now() })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  const row = await db.selectFrom('config_encryption').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
  const key = options.encryptionKey;
  if (key === undefined || key === '') {
    if (row.key_check !== null) {
      throw new EncryptionKeyError(`the config store at ${database.describe()} holds secrets encrypted with an encryption key, but no encryption_key (or BIFROST_ENCRYPTION_KEY) is configured`);
    }
    return plaintextCipher;
  }
  const cipher = aesGcmCipher(await deriveKey(key, row.salt));
  if (row.key_check === null) {
    // First start with a key: record the check; a concurrent starter with the same key is harmless.
    await db.updateTable('config_encryption').set({ key_check: makeKeyCheck(cipher) }).where('id', '=', 1).where('key_check', 'is', null).execute();
    const stored = await db.selectFrom('config_encryption').select('key_check').where('id', '=', 1).executeTakeFirstOrThrow();
    if (stored.key_check !== null && !verifyKeyCheck(cipher, stored.key_check)) {
      throw new EncryptionKeyError(`another process initialised ${database.describe()} with a different encryption_key`);
    }
    return cipher;
  }
  if (!verifyKeyCheck(cipher, row.key_check)) {
    throw new EncryptionKeyError(`the configured encryption_key does not match the key the config store at ${database.describe()} was encrypted with; use the original key (a key cannot be changed once data is stored)`);
  }
  return cipher;
}

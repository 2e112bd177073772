// Encryption at rest. An operator's `encryption_key` (any string) is stretched with Argon2id into a
// 32-byte AES-256-GCM key; each secret is sealed with a fresh 12-byte nonce and stored as
// base64(nonce | ciphertext | tag). Without a key the plaintext cipher stores values as they are
// (Bifrost's behaviour, with a startup warning from the caller). A key-check value — a known
// constant sealed with the key — lets a restart with a different key fail clearly, not decrypt junk.
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_CHECK_PLAINTEXT = 'bifrost-ts key check v1';

export interface Cipher {
  /** True when values are really encrypted (a key was configured). */
  readonly encrypted: boolean;
  seal(plaintext: string): string;
  /** Throws DecryptionError when the value was not sealed with this key. */
  open(sealed: string): string;
}

export class DecryptionError extends Error {
  constructor(message = 'value cannot be decrypted with the configured encryption key') {
    super(message);
    this.name = 'DecryptionError';
  }
}

/** Argon2id (1 pass, 64 MiB, 4 lanes — Bifrost's parameters) → 32 raw key bytes. */
export async function deriveKey(passphrase: string, salt: Uint8Array | string): Promise<Uint8Array> {
  if (passphrase.length === 0) throw new Error('encryption key must not be empty');
  // hash-wasm loads on the first derivation: a gateway without an encryption key never needs it.
  const { argon2id } = await import('hash-wasm');
  return argon2id({
    password: passphrase, salt, iterations: 1, memorySize: 64 * 1024, parallelism: 4, hashLength: 32, outputType: 'binary',
  });
}

export function aesGcmCipher(key: Uint8Array): Cipher {
  if (key.length !== 32) throw new Error('AES-256-GCM needs a 32-byte key');
  const keyBytes = Buffer.from(key);
  return {
    encrypted: true,
    seal(plaintext) {
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', keyBytes, nonce);
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64');
    },
    open(sealed) {
      const raw = Buffer.from(sealed, 'base64');
      if (raw.length < NONCE_BYTES + TAG_BYTES) throw new DecryptionError('sealed value is too short');
      const decipher = createDecipheriv('aes-256-gcm', keyBytes, raw.subarray(0, NONCE_BYTES));
      decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      try {
        return Buffer.concat([decipher.update(raw.subarray(NONCE_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        throw new DecryptionError();
      }
    },
  };
}

export const plaintextCipher: Cipher = {
  encrypted: false,
  seal: (plaintext) => plaintext,
  open: (sealed) => sealed,
};

export function newSalt(): string {
  return randomBytes(16).toString('base64');
}

export function makeKeyCheck(cipher: Cipher): string {
  return cipher.seal(KEY_CHECK_PLAINTEXT);
}

/** True when `check` was made with the same key as `cipher`. */
export function verifyKeyCheck(cipher: Cipher, check: string): boolean {
  try {
    const opened = Buffer.from(cipher.open(check));
    const expected = Buffer.from(KEY_CHECK_PLAINTEXT);
    return opened.length === expected.length && timingSafeEqual(opened, expected);
  } catch {
    return false;
  }
}

/** SHA-256 hex digest: virtual-key values are looked up by this hash, never decrypted for lookup. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

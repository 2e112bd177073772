// AES-GCM payloads as memberlist writes them: version byte (0 or 1), 12-byte random nonce,
// ciphertext, 16-byte tag. Version 0 (protocol 1) PKCS#7-pads the plaintext to a multiple of 16;
// version 1 does not. The additional data is the label on UDP and the 5-byte stream header plus
// the label on TCP (the caller passes it). Decryption tries every key of the keyring.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { WireError } from '../wire/errors.js';
import type { Keyring } from './keyring.js';

export const ENCRYPTION_VERSION_MAX = 1;
const NONCE_SIZE = 12;
const TAG_SIZE = 16;
const BLOCK = 16;

export type EncryptionVersion = 0 | 1;

/** Version 1 unless the spoken protocol version is 1. */
export function encryptionVersionFor(protocolVersion: number): EncryptionVersion {
  return protocolVersion < 2 ? 0 : 1;
}

/** Bytes added by encryption for a plaintext of `size` bytes. */
export function encryptedLength(version: EncryptionVersion, size: number): number {
  const body = version === 0 ? size + (BLOCK - (size % BLOCK)) : size;
  return 1 + NONCE_SIZE + body + TAG_SIZE;
}

function algorithm(key: Uint8Array): 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm' {
  if (key.length === 16) return 'aes-128-gcm';
  if (key.length === 24) return 'aes-192-gcm';
  if (key.length === 32) return 'aes-256-gcm';
  throw new WireError('bad_key', `key size ${key.length}`);
}

export interface EncryptOptions {
  version?: EncryptionVersion;
  /** Additional authenticated data (label, or stream header + label). */
  aad?: Uint8Array;
  /** Fixed nonce, for tests that reproduce captured bytes; random otherwise. */
  nonce?: Uint8Array;
}

export function encryptPayload(key: Uint8Array, plaintext: Uint8Array, opts: EncryptOptions = {}): Uint8Array {
  const version = opts.version ?? 1;
  const nonce = opts.nonce ?? randomBytes(NONCE_SIZE);
  if (nonce.length !== NONCE_SIZE) throw new WireError('bad_key', 'nonce must be 12 bytes');
  let body = plaintext;
  if (version === 0) {
    const pad = BLOCK - (plaintext.length % BLOCK);
    body = new Uint8Array(plaintext.length + pad);
    body.set(plaintext);
    body.fill(pad, plaintext.length);
  }
  const cipher = createCipheriv(algorithm(key), key, nonce, { authTagLength: TAG_SIZE });
  if (opts.aad && opts.aad.length > 0) cipher.setAAD(opts.aad);
  const ct = cipher.update(body);
  cipher.final();
  const out = new Uint8Array(1 + NONCE_SIZE + ct.length + TAG_SIZE);
  out[0] = version;
  out.set(nonce, 1);
  out.set(ct, 1 + NONCE_SIZE);
  out.set(cipher.getAuthTag(), 1 + NONCE_SIZE + ct.length);
  return out;
}

function tryDecrypt(key: Uint8Array, payload: Uint8Array, aad: Uint8Array | undefined): Uint8Array | null {
  const nonce = payload.subarray(1, 1 + NONCE_SIZE);
  const ct = payload.subarray(1 + NONCE_SIZE, payload.length - TAG_SIZE);
  const tag = payload.subarray(payload.length - TAG_SIZE);
  try {
    const d = createDecipheriv(algorithm(key), key, nonce, { authTagLength: TAG_SIZE });
    if (aad && aad.length > 0) d.setAAD(aad);
    d.setAuthTag(tag);
    const a = d.update(ct);
    const b = d.final();
    return b.length === 0 ? new Uint8Array(a) : new Uint8Array(Buffer.concat([a, b]));
  } catch {
    return null;
  }
}

/** Decrypts with each key in turn; throws WireError('decrypt_failed') when none fits. */
export function decryptPayload(keyring: Keyring, payload: Uint8Array, aad?: Uint8Array): Uint8Array {
  if (payload.length < 1) throw new WireError('decrypt_failed', 'empty payload');
  const version = payload[0] as number;
  if (version > ENCRYPTION_VERSION_MAX) throw new WireError('decrypt_failed', `unsupported encryption version ${version}`);
  const min = 1 + NONCE_SIZE + TAG_SIZE + (version === 0 ? BLOCK : 0);
  if (payload.length < min) throw new WireError('decrypt_failed', `payload of ${payload.length} bytes is too short`);
  for (const key of keyring.getKeys()) {
    const plain = tryDecrypt(key, payload, aad);
    if (plain === null) continue;
    if (version === 1) return plain;
    const pad = plain[plain.length - 1] as number;
    if (pad < 1 || pad > BLOCK || pad > plain.length) throw new WireError('decrypt_failed', 'bad PKCS#7 padding');
    return plain.subarray(0, plain.length - pad);
  }
  throw new WireError('decrypt_failed', 'no key in the keyring decrypts the payload');
}

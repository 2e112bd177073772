// Public surface of src/security: encryption at rest (Argon2id-derived AES-256-GCM), key checks,
// SHA-256 hashing of virtual-key values, and admin password hashing.
export {
  aesGcmCipher, plaintextCipher, deriveKey, newSalt, makeKeyCheck, verifyKeyCheck, sha256Hex,
  DecryptionError, type Cipher,
} from './encryption.js';
export { hashPassword, verifyPassword, isPasswordHash } from './password.js';
export { PasswordThread, PasswordThreadBusy } from './password-thread.js';

// Public surface of memberlist security: the keyring and AES-GCM payload encryption.
export { Keyring } from './keyring.js';
export {
  ENCRYPTION_VERSION_MAX, decryptPayload, encryptPayload, encryptedLength, encryptionVersionFor,
  type EncryptOptions, type EncryptionVersion,
} from './encryption.js';

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aesGcmCipher, DecryptionError, deriveKey, makeKeyCheck, newSalt, plaintextCipher, sha256Hex, verifyKeyCheck } from './encryption.js';
import { hashPassword, verifyPassword } from './password.js';

test('AES-256-GCM round trip with an Argon2id key; wrong key is detected, not garbage', async () => {
  const salt = newSalt();
  const right = aesGcmCipher(await deriveKey('correct horse', salt));
  const wrong = aesGcmCipher(await deriveKey('battery staple', salt));
  const sealed = right.seal('sk-secret-value');
  assert.ok(!sealed.includes('sk-secret'));
  assert.notEqual(right.seal('sk-secret-value'), sealed, 'fresh nonce each time');
  assert.equal(right.open(sealed), 'sk-secret-value');
  assert.throws(() => wrong.open(sealed), DecryptionError);
  const check = makeKeyCheck(right);
  assert.equal(verifyKeyCheck(right, check), true);
  assert.equal(verifyKeyCheck(wrong, check), false);
  assert.equal(verifyKeyCheck(plaintextCipher, check), false);
});

test('the same passphrase with a different salt gives a different key', async () => {
  const a = await deriveKey('k', 'salt-one-16bytes');
  const b = await deriveKey('k', 'salt-two-16bytes');
  assert.notDeepEqual(a, b);
  assert.equal(a.length, 32);
});

test('sha256Hex and password hashing', async () => {
  assert.equal(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  const hash = await hashPassword('hunter2');
  assert.match(hash, /^\$argon2id\$/);
  assert.ok(!hash.includes('hunter2'));
  assert.equal(await verifyPassword('hunter2', hash), true);
  assert.equal(await verifyPassword('hunter3', hash), false);
  assert.equal(await verifyPassword('hunter2', 'hunter2'), false, 'a plaintext value is never a valid hash');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decryptPayload, encryptPayload, encryptedLength } from './encryption.js';
import { Keyring } from './keyring.js';
import { WireError } from '../wire/errors.js';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const K16 = hex('000102030405060708090a0b0c0d0e0f');
const K24 = new Uint8Array(24).fill(2);
const K32 = new Uint8Array(32).fill(3);
const isReason = (r: string) => (e: unknown): boolean => e instanceof WireError && e.reason === r;

test('keyring: sizes, primary first, useKey, removeKey, base64', () => {
  assert.throws(() => new Keyring([new Uint8Array(15)]), isReason('bad_key'));
  assert.throws(() => new Keyring([]), isReason('bad_key'));
  const kr = new Keyring([K16, K24]);
  kr.addKey(K32);
  kr.addKey(K32);
  assert.equal(kr.getKeys().length, 3);
  assert.deepEqual(kr.getPrimaryKey(), K16);
  kr.useKey(K32);
  assert.deepEqual(kr.getPrimaryKey(), K32);
  assert.throws(() => kr.removeKey(K32), isReason('bad_key'));
  kr.removeKey(K16);
  assert.deepEqual(kr.getKeys(), [K32, K24]);
  assert.deepEqual(Keyring.fromBase64(['AAECAwQFBgcICQoLDA0ODw==']).getPrimaryKey(), K16);
});

test('layout: version, 12-byte nonce, ciphertext, 16-byte tag; v0 pads with PKCS#7', () => {
  const nonce = new Uint8Array(12).fill(9);
  const plain = new Uint8Array(59).fill(1);
  const v1 = encryptPayload(K16, plain, { nonce });
  assert.equal(v1.length, 1 + 12 + 59 + 16);
  assert.equal(v1.length, encryptedLength(1, 59));
  assert.equal(v1[0], 1);
  assert.deepEqual(v1.subarray(1, 13), nonce);
  const v0 = encryptPayload(K16, plain, { nonce, version: 0 });
  assert.equal(v0.length, 1 + 12 + 64 + 16);
  assert.equal(v0.length, encryptedLength(0, 59));
  const kr = new Keyring([K16]);
  assert.deepEqual(decryptPayload(kr, v0), plain);
  assert.deepEqual(decryptPayload(kr, v1), plain);
  // An exact multiple of 16 gets a whole block of padding.
  assert.equal(encryptPayload(K16, new Uint8Array(32), { version: 0 }).length, 1 + 12 + 48 + 16);
});

test('AAD is authenticated; all key sizes work; every key is tried', () => {
  for (const key of [K16, K24, K32]) {
    const enc = encryptPayload(key, Uint8Array.of(1, 2, 3), { aad: hex('6c626c31') });
    const kr = new Keyring([K32.map((x) => x + 1), key]);
    assert.deepEqual(decryptPayload(kr, enc, hex('6c626c31')), Uint8Array.of(1, 2, 3));
    assert.throws(() => decryptPayload(kr, enc), isReason('decrypt_failed'));
    assert.throws(() => decryptPayload(kr, enc, hex('6c626c32')), isReason('decrypt_failed'));
  }
});

test('rejects versions above 1, short payloads and tampering', () => {
  const kr = new Keyring([K16]);
  const enc = encryptPayload(K16, new Uint8Array(10));
  assert.throws(() => decryptPayload(kr, Uint8Array.of(2, ...enc.subarray(1))), isReason('decrypt_failed'));
  assert.throws(() => decryptPayload(kr, enc.subarray(0, 28)), isReason('decrypt_failed'));
  assert.throws(() => decryptPayload(kr, new Uint8Array(0)), isReason('decrypt_failed'));
  const bad = Uint8Array.from(enc);
  bad[15]! ^= 0x80;
  assert.throws(() => decryptPayload(kr, bad), isReason('decrypt_failed'));
});

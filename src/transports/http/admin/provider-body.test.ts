import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StoredProvider } from '../../../storage/config-store/index.js';
import { applyProviderBody } from './provider-body.js';
import { isUnchangedSecret, maskSecret, providerResponse, redactDeep, restoreMasked } from './redact.js';

const existing: StoredProvider = {
  name: 'openai', hash: 'filehash', deleted: false, config: { network_config: { max_retries: 1 }, send_back_raw_response: true },
  keys: [
    { name: 'a', id: 'a', value: 'sk-aaaaaaaaaaaaaaaaaaaa', valueEnv: null, config: { weight: 1, bedrock_key_config: { secret_key: 'aws-secret' } }, hash: 'h-a', deleted: false },
    { name: 'b', id: 'b', value: 'sk-env-resolved-bbbbbbb', valueEnv: 'B_KEY', config: { weight: 1 }, hash: null, deleted: false },
  ],
};

test('masking hides the secret and a masked value round-trips as "unchanged"', () => {
  const masked = maskSecret('sk-aaaaaaaaaaaaaaaaaaaa');
  assert.ok(!masked.includes('aaaaaaaaaaaa'));
  assert.equal(maskSecret('short'), '********');
  assert.equal(isUnchangedSecret(masked, existing.keys[0]!), true);
  assert.equal(isUnchangedSecret('env.B_KEY', existing.keys[1]!), true);
  assert.equal(isUnchangedSecret('sk-other', existing.keys[0]!), false);
  const response = providerResponse(existing);
  assert.ok(!JSON.stringify(response).includes('aws-secret'), 'cloud credentials inside a key are masked');
  const again = applyProviderBody('openai', { keys: response.keys }, { existing, env: { B_KEY: 'x' }, create: false });
  assert.deepEqual(again.keys[0]?.config.bedrock_key_config, { secret_key: 'aws-secret' }, 'masked credentials sent back are kept');
  assert.deepEqual((response.keys as Array<{ value: string }>).map((k) => k.value), [masked, 'env.B_KEY']);
  assert.deepEqual(redactDeep({ nested: { password: 'p4ssw0rd-long-enough', user: 'u' }, token: 'env.T' }),
    { nested: { password: '********', user: 'u' }, token: 'env.T' });
  assert.deepEqual(restoreMasked({ proxy: { password: '********', url: 'http://p' } }, { proxy: { password: 'real-pw', url: 'http://old' } }),
    { proxy: { password: 'real-pw', url: 'http://p' } });
});

test('PUT keeps masked secrets, resolves env refs, replaces only given blocks, tombstones removed file keys', () => {
  const next = applyProviderBody('openai', {
    keys: [{ name: 'b', value: 'env.B_KEY' }, { name: 'c', value: 'env.C_KEY', weight: 3 }],
    network_config: { max_retries: 2 },
  }, { existing, env: { C_KEY: 'sk-from-c' }, create: false });
  assert.equal(next.config.send_back_raw_response, true, 'blocks not in the body are kept');
  assert.equal((next.config.network_config as { max_retries: number }).max_retries, 2);
  const live = next.keys.filter((k) => !k.deleted);
  assert.deepEqual(live.map((k) => [k.name, k.value, k.valueEnv]), [['b', 'sk-env-resolved-bbbbbbb', 'B_KEY'], ['c', 'sk-from-c', 'C_KEY']]);
  assert.deepEqual(next.keys.filter((k) => k.deleted).map((k) => k.name), ['a'], 'file key a stays removed across restarts');
  assert.equal(next.hash, 'filehash', 'an API edit keeps the file hash');
});

test('bad bodies name the field', () => {
  assert.throws(() => applyProviderBody('x', { keys: [{ name: 'k', value: 'env.MISSING' }] }, { existing: undefined, env: {}, create: false }),
    /keys\[0\]\.value: environment variable MISSING is not set/);
  assert.throws(() => applyProviderBody('x', { keys: [{ name: 'k', value: '1' }, { name: 'k', value: '2' }] }, { existing: undefined, env: {}, create: false }),
    /keys\[1\]\.name: duplicate key name/);
  assert.throws(() => applyProviderBody('bad name!', { provider: 'bad name!' }, { existing: undefined, env: {}, create: true }), /provider:/);
});

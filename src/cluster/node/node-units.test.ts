import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMessageFrame, decodeStateFrame, encodeMessageFrame, encodeStateFrame } from './frames.js';
import { electLeaders } from './leader.js';
import { decodeMeta, encodeMeta } from './meta.js';
import { addressFilter } from './address-space.js';

test('frames round-trip; foreign and truncated bytes decode to undefined', () => {
  const m = decodeMessageFrame(encodeMessageFrame('node-1', 'counters', Uint8Array.of(1, 2, 3)))!;
  assert.deepEqual([m.from, m.topic, [...m.payload]], ['node-1', 'counters', [1, 2, 3]]);
  const s = decodeStateFrame(encodeStateFrame('n', [['a', Uint8Array.of(9)], ['b', new Uint8Array(0)]]))!;
  assert.deepEqual(s.topics.map(([t, b]) => [t, [...b]]), [['a', [9]], ['b', []]]);
  for (const bad of [Buffer.from('gossip-from-go'), Uint8Array.of(0xb7, 1, 5, 0x61), Uint8Array.of(0xff, 0x80), encodeStateFrame('n', [['a', Uint8Array.of(1)]]).subarray(0, 9)]) {
    assert.equal(decodeMessageFrame(bad), undefined);
    assert.equal(decodeStateFrame(bad), undefined);
  }
  assert.throws(() => encodeMessageFrame('n', '', new Uint8Array(0)), /topic/);
});

test('leaders: first eligible by byte order, one per region; unsettled members are skipped', () => {
  const l = electLeaders([
    { name: 'gw-c', region: 'eu', eligible: true }, { name: 'gw-a', region: 'us', eligible: false },
    { name: 'gw-b', region: 'us', eligible: true }, { name: 'Gw-z', region: 'eu', eligible: true },
  ]);
  assert.deepEqual(l, { leader: 'Gw-z', regional: { eu: 'Gw-z', us: 'gw-b' } });
  assert.deepEqual(electLeaders([]), { leader: undefined, regional: {} });
});

test('meta: JSON under 512 bytes; a Go/Serf peer\'s meta decodes as region unknown', () => {
  const meta = { region: 'us-east-1', http: '10.0.0.5:8080', version: '0.1.0', draining: true };
  assert.deepEqual(decodeMeta(encodeMeta(meta)), { ...meta, ours: true });
  assert.deepEqual(decodeMeta(Buffer.from('role=go')), { region: 'unknown', http: '', version: '', draining: false, ours: false });
  assert.throws(() => encodeMeta({ ...meta, http: 'x'.repeat(600) }), /512/);
});

test('address filter: CIDRs for v4 and v6, v4-mapped v6 matched as v4', () => {
  const allow = addressFilter(['10.0.0.0/8', 'fd00::/8'])!;
  assert.equal(allow('10.1.2.3'), true);
  assert.equal(allow('::ffff:10.1.2.3'), true);
  assert.equal(allow('fd12::1'), true);
  assert.equal(allow('127.0.0.1'), false);
  assert.equal(allow('not-an-ip'), false);
  assert.equal(addressFilter([]), undefined);
});

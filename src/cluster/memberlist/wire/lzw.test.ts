import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lzwCompress, lzwDecompress } from './lzw.js';
import { WireError } from './errors.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURE_DIR } from '../../../../test/fixtures/memberlist/captures.js';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));

// ml-default #4: Go's compress/lzw output for the 113-byte push/pull of reference §15.5.
const GO_BUF = '000d0c22a5e44d1a37c34a397943a6cc9c00acaacc2923670a9d3074ca3029e346c1215241c8909143ea0f00000256257133268c1c3718d3bc7113805493321757c979c3a64c0f3506dd5024e5244c9b32a1c49082f2460e9d661f1494b288b10c805156e6b83115a080809300e65cccd8e28d9916620202';
const PLAIN = '0683a44a6f696ec3a54e6f64657301ac5573657253746174654c656e0a87a441646472a47f000002ab496e6361726e6174696f6e01a44d657461ab726f6c653d6a6f696e6572a44e616d65a162a4506f7274cd1f0aa5537461746500a356736ea601050200000073746174652d6f662d62';

test('decodes Go LZW from a capture and encodes the same bytes as Go', () => {
  assert.equal(Buffer.from(lzwDecompress(hex(GO_BUF))).toString('hex'), PLAIN);
  assert.equal(Buffer.from(lzwCompress(hex(PLAIN))).toString('hex'), GO_BUF);
});

test('round-trips empty, small, random and table-overflowing inputs', () => {
  let seed = 12345;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
  const inputs = [
    new Uint8Array(0),
    Uint8Array.of(6),
    new Uint8Array(70000).map(() => rnd()),
    new Uint8Array(200000).map((_, i) => (i * 7) ^ (i >> 5)),
    new Uint8Array(50000).fill(0),
  ];
  for (const input of inputs) {
    const out = lzwDecompress(lzwCompress(input), { maxRatio: 1e6 });
    assert.deepEqual(Buffer.from(out), Buffer.from(input), `round trip of ${input.length} bytes`);
  }
});

test('a decompression bomb stops at the ratio cap with decompress_ratio', () => {
  const bomb = lzwCompress(new Uint8Array(4 * 1024 * 1024));
  assert.ok(bomb.length < 40000, `bomb is ${bomb.length} bytes`);
  assert.throws(() => lzwDecompress(bomb, { maxRatio: 10 }), (e: unknown) => e instanceof WireError && e.reason === 'decompress_ratio');
  assert.throws(() => lzwDecompress(bomb, { maxOutput: 1000 }), (e: unknown) => e instanceof WireError && e.reason === 'decompress_ratio');
});

test('a stream without EOF, or with an invalid code, is decompress_failed', () => {
  const ok = lzwCompress(Uint8Array.of(1, 2, 3));
  assert.throws(() => lzwDecompress(ok.subarray(0, 2)), (e: unknown) => e instanceof WireError && e.reason === 'decompress_failed');
  // clear (256), then code 300 which is beyond the table.
  const bad = Uint8Array.of(0x00, 0x59, 0x02, 0x00);
  assert.throws(() => lzwDecompress(bad), (e: unknown) => e instanceof WireError && e.reason === 'decompress_failed');
});

test("byte-identical with Go's compress/lzw across table resets (fixtures written by Go)", () => {
  let seed = 7;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
  const inputs: [string, Uint8Array][] = [
    ['random', new Uint8Array(20000).map(() => rnd())],
    ['text', new TextEncoder().encode('the quick brown fox jumps over the lazy dog '.repeat(5000))],
    ['zeros', new Uint8Array(1_000_000)],
  ];
  for (const [name, input] of inputs) {
    const goBytes = new Uint8Array(readFileSync(join(FIXTURE_DIR, `lzw-go-${name}.bin`)));
    assert.ok(Buffer.from(lzwCompress(input)).equals(goBytes), `${name}: our encoder writes Go's bytes`);
    assert.ok(Buffer.from(lzwDecompress(goBytes, { maxRatio: 1e6 })).equals(input), `${name}: Go's bytes decode`);
  }
});

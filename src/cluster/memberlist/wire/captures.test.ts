// Decodes every frame of the real Go memberlist / Serf captures (test/fixtures/memberlist) and
// checks (1) the payload read from the pcap equals the independent decoder's hex, (2) our decoded
// structs render to exactly the lines that decoder printed, and (3) re-encoding the decoded values
// reproduces the captured bytes (AES-GCM with the captured nonce, LZW, CRC, label, compound).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { leafLines, readDecoded, readPcap, renderPacketLeaf, renderStream } from '../../../../test/fixtures/memberlist/captures.js';
import { encodeMessage, decodeMessage } from './codec.js';
import { decodeCompound, makeCompound } from './compound.js';
import { compressPayload, decompressPayload } from './compress.js';
import { hasCrc, stripCrc } from './crc.js';
import { stripLabel } from './label.js';
import { decodePacket, encodePacket } from './packet.js';
import { encodeStream, encodeStreamMessage, readStreamMessage } from './stream.js';
import { decryptPayload, type EncryptionVersion } from '../security/encryption.js';
import { Keyring } from '../security/keyring.js';

const KEY = new Uint8Array(Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex'));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

interface Capture {
  name: string;
  label: string;
  keyring: Keyring | null;
  verifyIncoming?: boolean;
}

const CAPTURES: Capture[] = [
  { name: 'ml-default', label: '', keyring: null },
  { name: 'ml-nocompress', label: '', keyring: null },
  { name: 'ml-failure', label: '', keyring: null },
  { name: 'ml-encrypted', label: '', keyring: new Keyring([KEY]) },
  // An encrypted node's reply to a plaintext join: read the plaintext request leniently.
  { name: 'ml-errmsg', label: '', keyring: new Keyring([KEY]), verifyIncoming: false },
  { name: 'ml050-label-encrypted', label: 'lbl1', keyring: new Keyring([KEY]) },
  { name: 'serf-join', label: '', keyring: null },
  { name: 'serf-mlpeer', label: '', keyring: null },
];

/** Rebuilds a (possibly compound or compressed) message from its decoded parts. */
function reencode(buf: Uint8Array): Uint8Array {
  if (buf[0] === 7) {
    const { parts, truncated } = decodeCompound(buf);
    assert.equal(truncated, 0);
    return makeCompound(parts.map(reencode));
  }
  if (buf[0] === 9) return compressPayload(reencode(decompressPayload(buf)));
  return encodeMessage(decodeMessage(buf));
}

for (const cap of CAPTURES) {
  test(`capture ${cap.name}: every frame decodes as the reference decoder shows and re-encodes byte for byte`, async () => {
    const events = readPcap(`${cap.name}.pcap`);
    const expected = readDecoded(`${cap.name}.decoded.txt`);
    assert.ok(events.length >= 2, 'capture has frames');
    assert.equal(events.length, expected.size, 'same frames as the decoded text');
    const opts = { label: cap.label, keyring: cap.keyring, verifyIncoming: cap.verifyIncoming ?? true };
    for (const ev of events) {
      const want = expected.get(ev.frame);
      assert.ok(want, `frame #${ev.frame} is in the decoded text`);
      const where = `${cap.name} #${ev.frame}`;
      assert.equal(hex(ev.data), want.hex, `${where}: payload`);
      const { raw: labelRaw, rest } = stripLabel(ev.data);
      const wantEncrypted = want.lines.some((l) => l.startsWith('encrypt'));
      if (ev.kind === 'udp') {
        const got = decodePacket(ev.data, opts);
        assert.deepEqual(got.errors, [], `${where}: no part errors`);
        assert.deepEqual(got.messages.map(renderPacketLeaf), leafLines(want.lines), `${where}: decoded fields`);
        assert.equal(got.encrypted, wantEncrypted, `${where}: encrypted`);
        let inner = rest;
        if (got.encrypted) inner = decryptPayload(cap.keyring!, rest, labelRaw);
        const crc = hasCrc(inner);
        assert.equal(crc, got.crc);
        if (crc) inner = stripCrc(inner);
        assert.equal(hex(reencode(inner)), hex(inner), `${where}: message re-encodes`);
        const again = encodePacket(inner, {
          crc, label: cap.label, keyring: got.encrypted ? cap.keyring : null,
          encryptionVersion: rest[0] as EncryptionVersion, nonce: rest.subarray(1, 13),
        });
        assert.equal(hex(again), hex(ev.data), `${where}: packet re-encodes`);
      } else {
        const dialer = cap.label === '' || ev.data[0] === 0xf4;
        const got = await readStreamMessage(ev.data, { ...opts, readLabelHeader: dialer });
        assert.deepEqual(renderStream(got.message), leafLines(want.lines), `${where}: decoded fields`);
        assert.equal(got.encrypted, wantEncrypted, `${where}: encrypted`);
        assert.equal(got.compressed, want.lines.some((l) => l.startsWith('compress')), `${where}: compressed`);
        const again = encodeStream(encodeStreamMessage(got.message), {
          compress: got.compressed, label: cap.label, writeLabelHeader: labelRaw.length > 0,
          keyring: got.encrypted ? cap.keyring : null,
          encryptionVersion: rest[5] as EncryptionVersion, nonce: rest.subarray(6, 18),
        });
        assert.equal(hex(again), hex(ev.data), `${where}: stream re-encodes`);
      }
    }
  });
}

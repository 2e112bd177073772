import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeCompound, makeCompound, makeCompounds } from './compound.js';
import { addCrc, stripCrc } from './crc.js';
import { encodeMessage } from './codec.js';
import { WireError } from './errors.js';
import { addLabel, stripLabel } from './label.js';
import { MessageType, type Message } from './messages.js';
import { decodePacket, encodePacket } from './packet.js';
import { Keyring } from '../security/keyring.js';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const reason = (fn: () => unknown): string => {
  try {
    fn();
    return 'ok';
  } catch (e) {
    assert.ok(e instanceof WireError, String(e));
    return e.reason;
  }
};
const KEY = hex('000102030405060708090a0b0c0d0e0f');
const ack = (n: number): Message => ({ type: MessageType.ackResp, body: { SeqNo: n, Payload: null } });

test('compound layout: count byte, u16 BE lengths, parts (reference §15.4)', () => {
  const a = encodeMessage(ack(1));
  const c = makeCompound([a, Uint8Array.of(8, 0x41)]);
  assert.equal(Buffer.from(c.subarray(0, 6)).toString('hex'), '070200120002');
  const d = decodeCompound(c);
  assert.equal(d.truncated, 0);
  assert.deepEqual(d.parts.map((p) => p.length), [18, 2]);
});

test('more than 255 messages are split into compounds of at most 255', () => {
  const msgs = Array.from({ length: 600 }, (_, i) => encodeMessage(ack(i)));
  const out = makeCompounds(msgs);
  assert.deepEqual(out.map((c) => c[1]), [255, 255, 90]);
  assert.equal(makeCompounds([msgs[0]!])[0], msgs[0]);
});

test('a truncated compound yields its complete prefix and counts the rest', () => {
  const c = makeCompound([encodeMessage(ack(1)), encodeMessage(ack(2)), encodeMessage(ack(3))]);
  const d = decodeCompound(c.subarray(0, c.length - 5));
  assert.equal(d.parts.length, 2);
  assert.equal(d.truncated, 1);
  const p = decodePacket(c.subarray(0, c.length - 5), { label: '' });
  assert.equal(p.messages.length, 2);
  assert.deepEqual(p.errors.map((e) => e.reason), ['truncated_compound']);
  assert.equal(reason(() => decodeCompound(hex('0700'))), 'bad_compound');
  assert.equal(reason(() => decodeCompound(hex('070300'))), 'bad_compound');
});

test('CRC matches reference §15.3 and a flipped bit is bad_crc', () => {
  const alive = hex('0486a441646472a47f000001ab496e6361726e6174696f6e02a44d657461ad726f6c653d736565642c763d32a44e6f6465a161a4506f7274cd1f0aa356736ea6010502000000');
  const wrapped = addCrc(alive);
  assert.equal(Buffer.from(wrapped.subarray(0, 5)).toString('hex'), '0c7a222169');
  assert.deepEqual(stripCrc(wrapped), alive);
  wrapped[20]! ^= 1;
  assert.equal(reason(() => decodePacket(wrapped, { label: '' })), 'bad_crc');
});

test('labels: header layout, mismatch, zero length, skipInboundLabelCheck', () => {
  const m = encodeMessage(ack(5));
  const l = addLabel(m, 'lbl1');
  assert.equal(Buffer.from(l.subarray(0, 6)).toString('hex'), 'f4046c626c31');
  assert.equal(stripLabel(l).label, 'lbl1');
  assert.equal(decodePacket(l, { label: 'lbl1' }).messages.length, 1);
  assert.equal(reason(() => decodePacket(l, { label: 'other' })), 'label_mismatch');
  assert.equal(reason(() => decodePacket(m, { label: 'lbl1' })), 'label_mismatch');
  assert.equal(reason(() => decodePacket(l, { label: '' })), 'label_mismatch');
  assert.equal(reason(() => decodePacket(hex('f400'), { label: '' })), 'bad_label');
  assert.equal(reason(() => decodePacket(l, { label: 'lbl1', skipInboundLabelCheck: true })), 'label_mismatch');
  assert.equal(decodePacket(m, { label: 'lbl1', skipInboundLabelCheck: true }).messages.length, 1);
});

test('full pipeline round trip: compress, crc, encrypt (v0 and v1), label, compound', () => {
  const parts = Array.from({ length: 20 }, (_, i) => encodeMessage({
    type: MessageType.alive,
    body: { Incarnation: i, Node: `node-${i}`, Addr: hex('7f000001'), Port: 7946, Meta: null, Vsn: hex('010502000000') },
  }));
  const [compound] = makeCompounds(parts);
  const keyring = new Keyring([KEY]);
  for (const encryptionVersion of [0, 1] as const) {
    const wire = encodePacket(compound!, { compress: true, crc: true, keyring, encryptionVersion, label: 'x' });
    assert.ok(wire.length < compound!.length, 'compression kept because smaller');
    const got = decodePacket(wire, { label: 'x', keyring });
    assert.equal(got.encrypted, true);
    assert.equal(got.crc, true);
    assert.deepEqual(got.messages.map((m) => (m.body as { Node: string }).Node), parts.map((_, i) => `node-${i}`));
  }
  // Compression is dropped when it does not shrink the message.
  const small = encodeMessage(ack(1));
  assert.deepEqual(encodePacket(small, { compress: true }), small);
});

test('encryption policy: plaintext rejected unless verifyIncoming=false; wrong key fails', () => {
  const m = encodeMessage(ack(9));
  const keyring = new Keyring([KEY]);
  assert.equal(reason(() => decodePacket(m, { label: '', keyring })), 'decrypt_failed');
  assert.equal(decodePacket(m, { label: '', keyring, verifyIncoming: false }).messages.length, 1);
  const other = new Keyring([new Uint8Array(32).fill(7)]);
  const enc = encodePacket(m, { keyring: other });
  assert.equal(reason(() => decodePacket(enc, { label: '', keyring })), 'decrypt_failed');
  keyring.addKey(new Uint8Array(32).fill(7));
  assert.equal(decodePacket(enc, { label: '', keyring }).messages.length, 1);
});

test('packet size and nesting are bounded', () => {
  assert.equal(reason(() => decodePacket(new Uint8Array(70000), { label: '' })), 'too_large');
  let nested = encodeMessage(ack(1));
  for (let i = 0; i < 6; i++) nested = makeCompound([nested]);
  const p = decodePacket(nested, { label: '' });
  assert.equal(p.messages.length, 0);
  assert.deepEqual(p.errors.map((e) => e.reason), ['bad_compound']);
});

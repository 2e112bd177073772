import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMessage, encodeMessage } from './codec.js';
import { MessageType, type Message } from './messages.js';
import { decodeMsgpack, encodeMsgpack } from './msgpack.js';
import { WireError } from './errors.js';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

// Reference §15: real bytes from memberlist 0.2.2.
const PING = '0085a44e6f6465a161a55365714e6f01aa536f7572636541646472a47f000002aa536f757263654e6f6465a162aa536f75726365506f7274cd1f0a';
const ACK = '0282a75061796c6f6164c0a55365714e6f01';
const ALIVE = '0486a441646472a47f000001ab496e6361726e6174696f6e02a44d657461ad726f6c653d736565642c763d32a44e6f6465a161a4506f7274cd1f0aa356736ea6010502000000';
const NACK = '0b81a55365714e6f04';

test('ping decodes to Go field values and re-encodes byte for byte', () => {
  const m = decodeMessage(hex(PING));
  assert.equal(m.type, MessageType.ping);
  assert.deepEqual(m.body, { SeqNo: 1, Node: 'a', SourceAddr: hex('7f000002'), SourcePort: 7946, SourceNode: 'b' });
  assert.equal(toHex(encodeMessage(m)), PING);
});

test('ack with nil payload keeps nil, and re-encodes as c0', () => {
  const m = decodeMessage(hex(ACK));
  assert.deepEqual(m, { type: MessageType.ackResp, body: { SeqNo: 1, Payload: null } });
  assert.equal(toHex(encodeMessage(m)), ACK);
});

test('alive: Addr, Meta and Vsn are bytes; 13-byte meta is a fixstr', () => {
  const m = decodeMessage(hex(ALIVE));
  assert.equal(m.type, MessageType.alive);
  if (m.type !== MessageType.alive) return;
  assert.deepEqual(m.body.Addr, hex('7f000001'));
  assert.equal(Buffer.from(m.body.Meta ?? []).toString(), 'role=seed,v=2');
  assert.deepEqual([...m.body.Vsn], [1, 5, 2, 0, 0, 0]);
  assert.equal(m.body.Incarnation, 2);
  assert.equal(toHex(encodeMessage(m)), ALIVE);
});

test('nack and omitempty: a ping without source fields has only Node and SeqNo', () => {
  assert.deepEqual(decodeMessage(hex(NACK)).body, { SeqNo: 4 });
  const bytes = encodeMessage({ type: MessageType.ping, body: { SeqNo: 300, Node: '' } });
  assert.equal(toHex(bytes), '0082a44e6f6465a0a55365714e6fcd012c');
});

test('strings of 32..65535 bytes use str16 (da), never str8', () => {
  const err: Message = { type: MessageType.err, body: { Error: 'x'.repeat(58) } };
  const b = encodeMessage(err);
  assert.equal(toHex(b.subarray(0, 10)), '0d81a54572726f72da00');
  assert.equal(b[10], 58);
  assert.deepEqual(decodeMessage(b), err);
});

test('lenient decoding: every int width, bin/str8, arrays for bytes, unknown keys', () => {
  // {SeqNo: d2 00000007, Payload: c4 02 0102, Extra: 1}
  const m = decodeMessage(hex('0283a55365714e6fd200000007a75061796c6f6164c4020102a54578747261 01'));
  assert.deepEqual(m.body, { SeqNo: 7, Payload: hex('0102') });
  // Vsn as an array of ints, Addr as str8; case-mismatched key ignored.
  const a = decodeMessage(hex('0483a3 56736e 96 010502020505 a441646472 d904 7f000001 a46e6f6465 a178'));
  assert.equal(a.type, MessageType.alive);
  if (a.type !== MessageType.alive) return;
  assert.deepEqual([...a.body.Vsn], [1, 5, 2, 2, 5, 5]);
  assert.deepEqual(a.body.Addr, hex('7f000001'));
  assert.equal(a.body.Node, '');
});

test('int fields encode like the old codec and decode v2 widths (d1)', () => {
  assert.equal(toHex(encodeMsgpack({ UserStateLen: 589 })), '81ac5573657253746174654c656ecd024d');
  assert.equal(decodeMsgpack(hex('d1024d')).value, 589);
  assert.equal(decodeMsgpack(hex('d3ffffffffffffffff')).value, -1);
  assert.equal(toHex(encodeMsgpack(-33)), 'd0df');
});

test('malformed input throws WireError with a stable reason', () => {
  const reasons = (b: string): string => {
    try {
      decodeMessage(hex(b));
      return 'ok';
    } catch (e) {
      assert.ok(e instanceof WireError, String(e));
      return e.reason;
    }
  };
  assert.equal(reasons(''), 'truncated');
  assert.equal(reasons('2a80'), 'unknown_type');
  assert.equal(reasons('0285a4'), 'malformed_msgpack');
  assert.equal(reasons('00c1'), 'malformed_msgpack');
  assert.equal(reasons('0281a55365714e6f80'), 'bad_field');
  assert.equal(reasons('00' + '91'.repeat(40) + '00'), 'malformed_msgpack');
});

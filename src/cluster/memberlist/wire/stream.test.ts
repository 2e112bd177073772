import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { encodeMessage } from './codec.js';
import { WireError } from './errors.js';
import { MessageType, type PushPull } from './messages.js';
import { MsgpackWriter } from './msgpack.js';
import { encodePushPull, encodeStream, encodeUserStream, readStreamMessage, type StreamReadOptions } from './stream.js';
import { Keyring } from '../security/keyring.js';

const KEY = new Uint8Array(Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex'));
const node = (name: string) => ({
  Name: name, Addr: Uint8Array.of(127, 0, 0, 1), Port: 7946, Meta: null, Incarnation: 1, State: 0,
  Vsn: Uint8Array.of(1, 5, 2, 0, 0, 0),
});
const PP: PushPull = {
  header: { Join: true, Nodes: 2, UserStateLen: 5 },
  nodes: [node('a'), node('b')],
  userState: new TextEncoder().encode('state'),
};

async function socketPair(): Promise<{ dialer: Socket; acceptor: Socket; close: () => void }> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const addr = server.address();
  assert.ok(addr && typeof addr === 'object');
  const accepted = once(server, 'connection');
  const dialer = connect(addr.port, '127.0.0.1');
  const [acceptor] = (await accepted) as [Socket];
  return { dialer, acceptor, close: () => { dialer.destroy(); acceptor.destroy(); server.close(); } };
}

const failsWith = (reason: string) => (e: unknown): boolean => e instanceof WireError && e.reason === reason;

test('push/pull over TCP with label and encryption: read incrementally before EOF, reply authenticated with the label', async () => {
  const { dialer, acceptor, close } = await socketPair();
  try {
    const keyring = new Keyring([KEY]);
    const opts = { label: 'lbl1', keyring };
    const request = encodeStream(encodePushPull(PP), { ...opts, writeLabelHeader: true, compress: true });
    assert.equal(request[0], MessageType.hasLabel);
    // Dribble the request one byte per tick and keep the connection open (as Go's dialer does).
    void (async () => {
      for (const b of request) {
        dialer.write(Uint8Array.of(b));
        await new Promise((r) => setImmediate(r));
      }
    })();
    const got = await readStreamMessage(acceptor, { ...opts, readLabelHeader: true });
    assert.equal(got.encrypted, true);
    assert.equal(got.compressed, true);
    assert.deepEqual(got.message, { type: MessageType.pushPull, body: PP });
    const reply = encodeStream(encodePushPull({ ...PP, nodes: [node('c')] }), opts);
    assert.equal(reply[0], MessageType.encrypt, 'the reply has no label header');
    acceptor.end(reply);
    const back = await readStreamMessage(dialer, { ...opts, readLabelHeader: false });
    assert.equal(back.message.type, MessageType.pushPull);
    assert.equal(back.message.type === MessageType.pushPull && back.message.body.nodes[0]?.Name, 'c');
    // The same reply is rejected when read with another label as AAD.
    await assert.rejects(readStreamMessage(reply, { label: 'other', keyring, readLabelHeader: false }), failsWith('decrypt_failed'));
  } finally {
    close();
  }
});

test('user message and TCP ping round trip; plain stream to an encrypted node is not_encrypted', async () => {
  const plain: StreamReadOptions = { label: '', readLabelHeader: true };
  const user = await readStreamMessage(encodeStream(encodeUserStream(Uint8Array.of(1, 2, 3))), plain);
  assert.deepEqual(user.message, { type: MessageType.user, body: Uint8Array.of(1, 2, 3) });
  const ping = encodeMessage({ type: MessageType.ping, body: { SeqNo: 9, Node: 'x' } });
  const got = await readStreamMessage(encodeStream(ping, { compress: true }), plain);
  assert.deepEqual(got.message, { type: MessageType.ping, body: { SeqNo: 9, Node: 'x', SourceAddr: undefined, SourcePort: undefined, SourceNode: undefined } });
  await assert.rejects(readStreamMessage(ping, { ...plain, keyring: new Keyring([KEY]) }), failsWith('not_encrypted'));
  const relaxed = await readStreamMessage(ping, { ...plain, keyring: new Keyring([KEY]), verifyIncoming: false });
  assert.equal(relaxed.encrypted, false);
  await assert.rejects(readStreamMessage(encodeStream(ping, { label: 'l', writeLabelHeader: true }), plain), failsWith('label_mismatch'));
});

test('bounded: huge declared lengths are too_large, short streams truncated, wrong types unknown_type', async () => {
  const plain: StreamReadOptions = { label: '', readLabelHeader: true };
  const bigUser = new MsgpackWriter().byte(MessageType.user).struct({ UserMsgLen: 30 * 1024 * 1024 }).finish();
  await assert.rejects(readStreamMessage(bigUser, plain), failsWith('too_large'));
  const manyNodes = new MsgpackWriter().byte(MessageType.pushPull).struct({ Join: false, Nodes: 5_000_000, UserStateLen: 0 }).finish();
  await assert.rejects(readStreamMessage(manyNodes, plain), failsWith('too_large'));
  const pp = encodePushPull(PP);
  await assert.rejects(readStreamMessage(pp.subarray(0, pp.length - 2), plain), failsWith('truncated'));
  await assert.rejects(readStreamMessage(pp, { ...plain, maxStreamSize: 50 }), failsWith('too_large'));
  await assert.rejects(readStreamMessage(Uint8Array.of(4, 0x80), plain), failsWith('unknown_type'));
  const encHuge = Uint8Array.of(10, 0xff, 0xff, 0xff, 0xff, 1);
  await assert.rejects(readStreamMessage(encHuge, { ...plain, keyring: new Keyring([KEY]) }), failsWith('too_large'));
});

test('a socket closed or destroyed mid-message rejects instead of hanging', async () => {
  const { dialer, acceptor, close } = await socketPair();
  try {
    const pending = readStreamMessage(acceptor, { label: '', readLabelHeader: true });
    dialer.end(encodePushPull(PP).subarray(0, 20));
    await assert.rejects(pending, failsWith('truncated'));
  } finally {
    close();
  }
  const pair = await socketPair();
  try {
    const pending = readStreamMessage(pair.acceptor, { label: '', readLabelHeader: true });
    pair.dialer.write(Uint8Array.of(MessageType.pushPull));
    setImmediate(() => pair.acceptor.destroy(new Error('timeout')));
    await assert.rejects(pending, (e: unknown) => e instanceof WireError && (e.reason === 'io' || e.reason === 'truncated'));
    // An already-destroyed socket rejects at once too.
    await assert.rejects(readStreamMessage(pair.acceptor, { label: '', readLabelHeader: true }), failsWith('truncated'));
  } finally {
    pair.close();
  }
});

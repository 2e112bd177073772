import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import type { Duplex } from 'node:stream';
import { NetTransport, createNetTransport } from './net-transport.js';
import type { Address } from './transport.js';
import { WireError } from '../wire/errors.js';

function nextPacket(t: NetTransport): Promise<{ data: Uint8Array; from: Address }> {
  return new Promise((resolve) => t.onPacket((data, from) => resolve({ data: Uint8Array.from(data), from })));
}

function nextStream(t: NetTransport): Promise<{ conn: Duplex; from: Address }> {
  return new Promise((resolve) => t.onStream((conn, from) => resolve({ conn, from })));
}

async function readAll(conn: Duplex): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of conn) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString();
}

test('port 0: UDP and TCP share the real bound port, which is advertised', async () => {
  const a = await createNetTransport({ bindAddr: '127.0.0.1', bindPort: 0 });
  const b = await NetTransport.create({ bindAddr: '127.0.0.1', bindPort: 0 });
  try {
    assert.equal(a.advertise.host, '127.0.0.1');
    assert.ok(a.advertise.port > 0);
    assert.equal(a.advertise.port, a.boundPort);
    assert.notEqual(a.advertise.port, b.advertise.port);

    // UDP: delivered to the advertised port, and sent *from* the bound port.
    const got = nextPacket(b);
    a.sendPacket(b.advertise, Uint8Array.of(0, 1, 2));
    const p = await got;
    assert.deepEqual(p.data, Uint8Array.of(0, 1, 2));
    assert.deepEqual(p.from, a.advertise);

    // TCP: the same port number accepts streams; request and reply on one connection.
    const accepted = nextStream(b);
    const conn = await a.dialStream(b.advertise, 2000);
    conn.write('ping');
    const s = await accepted;
    assert.equal(s.from.host, '127.0.0.1');
    s.conn.once('data', (d: Buffer) => s.conn.end(`ack:${d.toString()}`));
    assert.equal(await readAll(conn), 'ack:ping');
    assert.equal(a.stats().packetsSent, 1);
    assert.equal(b.stats().packetsReceived, 1);
    assert.equal(b.stats().streamsAccepted, 1);
  } finally {
    await a.shutdown();
    await b.shutdown();
  }
});

test('a fixed port whose UDP twin is taken fails with a clear error', async () => {
  const udp = createSocket('udp4');
  udp.bind(0, '127.0.0.1');
  await once(udp, 'listening');
  const port = udp.address().port;
  try {
    await assert.rejects(NetTransport.create({ bindAddr: '127.0.0.1', bindPort: port }), /cannot bind UDP/);
  } finally {
    udp.close();
  }
});

test('advertise overrides, dial failures, and shutdown', async () => {
  const t = await NetTransport.create({ bindAddr: '127.0.0.1', bindPort: 0, advertiseAddr: '10.0.0.9', advertisePort: 7946 });
  assert.deepEqual(t.advertise, { host: '10.0.0.9', port: 7946 });
  const port = t.boundPort;
  const probe = await NetTransport.create({ bindAddr: '127.0.0.1', bindPort: 0 });
  await probe.shutdown();
  // Nothing listens on the port just released: the dial is refused, not hung.
  await assert.rejects(t.dialStream({ host: '127.0.0.1', port: probe.advertise.port }, 2000),
    (e: unknown) => e instanceof WireError && e.reason === 'io');
  await t.shutdown();
  t.sendPacket({ host: '127.0.0.1', port }, Uint8Array.of(1));
  await assert.rejects(t.dialStream({ host: '127.0.0.1', port }, 100), (e: unknown) => e instanceof WireError);
  // The port is free again for TCP and UDP.
  const again = await NetTransport.create({ bindAddr: '127.0.0.1', bindPort: port });
  assert.equal(again.boundPort, port);
  await again.shutdown();
});

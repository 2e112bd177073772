// Push failures: a push that cannot reach the Pushgateway, or that it refuses, is reported with
// the reason (not fetch's bare "fetch failed"), logged, and does not count as a push.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { startPushGateway } from './push-gateway.js';

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function client(url: string, warnings: string[]) {
  const logger = { debug() {}, info() {}, error() {}, warn: (o: { err?: string }, msg: string) => { warnings.push(`${msg}: ${o.err}`); } };
  return startPushGateway(
    { enabled: true, push_gateway_url: url, job_name: 'bifrost', instance_id: 'test', push_interval: 300 },
    { registry: new Registry(), logger, hostname: 'host' },
  );
}

test('an unreachable Pushgateway: the push fails naming the connection error, and close logs the final failure', async () => {
  const server = createServer();
  const port = await listen(server);
  await new Promise((resolve) => server.close(resolve)); // a port nothing listens on any more
  const warnings: string[] = [];
  const pusher = client(`http://127.0.0.1:${port}`, warnings);
  await assert.rejects(pusher.push(), /^Error: cannot reach the push gateway: connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
  assert.equal(pusher.pushes, 0);
  await pusher.close();
  assert.ok(warnings.some((w) => /final push to push gateway failed: cannot reach the push gateway: connect ECONNREFUSED/.test(w)), warnings.join('\n'));
});

test('a Pushgateway that refuses the push: the error carries its status and body; a good push counts', async () => {
  let status = 500;
  const seen: string[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => { seen.push(`${req.method} ${req.url}`); res.writeHead(status).end(status === 500 ? 'disk full' : ''); });
  });
  const port = await listen(server);
  try {
    const pusher = client(`http://127.0.0.1:${port}/`, []);
    await assert.rejects(pusher.push(), /pushgateway answered 500: disk full/);
    assert.equal(pusher.pushes, 0);
    status = 200;
    await pusher.push();
    assert.equal(pusher.pushes, 1);
    // The push made at start, the refused one, the good one.
    assert.deepEqual(seen, Array(3).fill('PUT /metrics/job/bifrost/instance/test'));
    await pusher.close();
  } finally {
    server.close();
  }
});

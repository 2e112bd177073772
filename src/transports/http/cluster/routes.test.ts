import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { FakeClock, InMemoryNetwork } from '../../../cluster/memberlist/index.js';
import { startClusterNode } from '../../../cluster/node/index.js';
import { clusterRoutes } from './index.js';

test('GET /api/cluster/status reports the node, members, health, leaders and counter lag', async () => {
  const net = new InMemoryNetwork();
  const clock = new FakeClock();
  const node = await startClusterNode({
    cluster: { node_id: 'gw-1', region: 'eu', gossip: { port: 7946, config: { success_threshold: 1 } } },
    httpAddress: '0.0.0.0:8080', version: '0.1.0', transport: net.createTransport('10.1.0.1'), clock,
  });
  await clock.advance(2_000);
  const app = Fastify();
  let lag: number | undefined = 12.4;
  clusterRoutes({ node, counterSyncLagMs: () => lag })(app);
  const res = await app.inject({ method: 'GET', url: '/api/cluster/status' });
  assert.equal(res.statusCode, 200);
  const body = res.json();
  assert.equal(body.enabled, true);
  assert.deepEqual(body.node, {
    name: 'gw-1', address: '10.1.0.1:7946', state: 'alive', region: 'eu', http_address: '10.1.0.1:8080', version: '0.1.0',
    draining: false, healthy: true, last_seen: new Date(clock.now()).toISOString(), is_leader: true,
  });
  assert.equal(body.members.length, 1);
  assert.equal(body.member_count, 1);
  assert.equal(body.healthy_members, 1);
  assert.equal(body.cluster_health, 'HEALTHY');
  assert.equal(body.leader, 'gw-1');
  assert.deepEqual(body.regional_leaders, { eu: 'gw-1' });
  assert.equal(body.counter_sync_lag_ms, 12);
  lag = undefined;
  assert.equal((await app.inject({ method: 'GET', url: '/api/cluster/status' })).json().counter_sync_lag_ms, null);
  await app.close();
  await node.shutdown();
});

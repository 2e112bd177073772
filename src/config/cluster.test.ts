import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, parseConfig } from './index.js';

const PG = { enabled: true, type: 'postgres', config: { host: 'db', port: '5432', user: 'u', password: 'p', db_name: 'b', ssl_mode: 'disable' } };

function issues(raw: unknown, env: Record<string, string> = {}): { path: string; message: string }[] {
  try {
    parseConfig(raw, { env });
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return [...error.issues];
  }
  assert.fail('expected a ConfigError');
}

test('cluster_config: Bifrost keys parse with defaults (gossip 7946, thresholds 10/3/3)', () => {
  const { config } = parseConfig({
    config_store: PG,
    cluster_config: { enabled: true, peers: ['bifrost-0.bifrost-headless.default.svc.cluster.local:7946', '[::1]:7946'], region: 'us-east-1', node_id: 'a' },
  }, { env: {} });
  const c = config.cluster_config!;
  assert.equal(c.gossip.port, 7946);
  assert.deepEqual(c.gossip.config, { timeout_seconds: 10, success_threshold: 3, failure_threshold: 3 });
  assert.equal(c.region, 'us-east-1');
  assert.equal(c.peers.length, 2);
});

test('cluster_config: the Helm HA example (kubernetes discovery, grpc, allowed address space) is accepted', () => {
  const { config } = parseConfig({
    config_store: PG,
    cluster_config: {
      enabled: true, type: 'mesh', region: 'us-east-1',
      gossip: { port: 7946, config: { timeout_seconds: 10, success_threshold: 3, failure_threshold: 3 } },
      grpc: { port: 10102, dial_timeout_seconds: 5 },
      discovery: {
        enabled: true, type: 'kubernetes', k8s_namespace: 'default', k8s_label_selector: 'app.kubernetes.io/name=bifrost',
        allowed_address_space: ['10.0.0.0/8', '172.16.0.0/12', 'fd00::/8'], dial_timeout: '10s', bind_port: 7946,
      },
    },
  }, { env: {} });
  assert.equal(config.cluster_config!.discovery!.dial_timeout, 10_000);
});

test('cluster_config is strict: unknown keys at every level are errors naming their path', () => {
  const found = issues({
    config_store: PG,
    cluster_config: { enabled: true, peers: ['a:1'], gosip: {}, gossip: { port: 7946, config: { timeout: 1 } }, discovery: { enabled: false, typ: 'dns' } },
  }).map((i) => i.path).sort();
  assert.deepEqual(found, ['cluster_config', 'cluster_config.discovery', 'cluster_config.gossip.config']);
});

test('broker mode is refused with a clear message; other types name the expected one', () => {
  const broker = issues({ cluster_config: { enabled: false, type: 'broker', broker: { address: 'x:50051' } } });
  assert.deepEqual(broker.map((i) => i.path).sort(), ['cluster_config.broker', 'cluster_config.type']);
  assert.match(broker[0]!.message, /broker mode is not offered/);
  assert.match(issues({ cluster_config: { type: 'ring' } })[0]!.message, /expected "mesh"/);
});

test('enabled cluster needs PostgreSQL: SQLite (default) and no config store are refused on cluster_config.enabled', () => {
  for (const store of [undefined, { enabled: true, type: 'sqlite' }, { enabled: false }]) {
    const found = issues({ ...(store ? { config_store: store } : {}), cluster_config: { enabled: true, peers: ['a:7946'] } });
    assert.equal(found.length, 1);
    assert.equal(found[0]!.path, 'cluster_config.enabled');
    assert.match(found[0]!.message, /cluster mode requires PostgreSQL/);
  }
  // Disabled: no store rule.
  parseConfig({ cluster_config: { enabled: false } }, { env: {} });
});

test('enabled cluster needs peers or discovery; discovery types need their fields', () => {
  const paths = (cluster: unknown): string[] => issues({ config_store: PG, cluster_config: cluster }).map((i) => i.path).sort();
  assert.deepEqual(paths({ enabled: true }), ['cluster_config.peers']);
  assert.deepEqual(paths({ enabled: true, discovery: { enabled: true } }), ['cluster_config.discovery.type']);
  assert.deepEqual(paths({ enabled: true, discovery: { enabled: true, type: '' } }), ['cluster_config.discovery.type']);
  assert.deepEqual(paths({ enabled: true, discovery: { enabled: true, type: 'consul' } }), ['cluster_config.discovery.service_name']);
  assert.deepEqual(paths({ enabled: true, discovery: { enabled: true, type: 'etcd', service_name: 'b' } }), ['cluster_config.discovery.etcd_endpoints']);
  assert.deepEqual(paths({ enabled: true, discovery: { enabled: true, type: 'udp' } }),
    ['cluster_config.discovery.allowed_address_space', 'cluster_config.discovery.service_name', 'cluster_config.discovery.udp_broadcast_port']);
  assert.deepEqual(paths({ enabled: true, discovery: { enabled: true, type: 'kubernetes' } }), ['cluster_config.discovery.k8s_label_selector']);
  assert.deepEqual(paths({ enabled: true, discovery: { enabled: true, type: 'dns' } }), ['cluster_config.discovery.dns_names']);
  parseConfig({ config_store: PG, cluster_config: { enabled: true, discovery: { enabled: true, type: 'mdns', mdns_service: '_bifrost._tcp' } } }, { env: {} });
});

test('peers, CIDRs, ports, thresholds and durations are validated', () => {
  const found = issues({
    cluster_config: {
      peers: ['no-port', 'h:0', 'h:70000', '[zz]:1', 'ok:7946'],
      gossip: { port: 0, config: { timeout_seconds: 0, success_threshold: 0, failure_threshold: 1.5 } },
      discovery: { allowed_address_space: ['10.0.0.0/33', '10.0.0.0', 'x/8', '10.0.0.0/8'], dial_timeout: 10 },
    },
  });
  assert.deepEqual(found.map((i) => i.path).sort(), [
    'cluster_config.discovery.allowed_address_space[0]', 'cluster_config.discovery.allowed_address_space[1]',
    'cluster_config.discovery.allowed_address_space[2]', 'cluster_config.discovery.dial_timeout',
    'cluster_config.gossip.config.failure_threshold', 'cluster_config.gossip.config.success_threshold',
    'cluster_config.gossip.config.timeout_seconds', 'cluster_config.gossip.port',
    'cluster_config.peers[0]', 'cluster_config.peers[1]', 'cluster_config.peers[2]', 'cluster_config.peers[3]',
  ]);
  assert.match(found.find((i) => i.path.endsWith('dial_timeout'))!.message, /nanoseconds/);
});

test('gossip.encryption_key: base64 16/24/32 bytes, env.X references, BIFROST_GOSSIP_KEY fallback, redacted as a reference', () => {
  const key = Buffer.alloc(32, 7).toString('base64');
  const ref = parseConfig({ cluster_config: { gossip: { encryption_key: 'env.MY_GOSSIP' } } }, { env: { MY_GOSSIP: key } });
  assert.equal(ref.config.cluster_config!.gossip.encryption_key, key);
  assert.equal(ref.envRefs['cluster_config.gossip.encryption_key'], 'MY_GOSSIP');
  const fromEnv = parseConfig({ cluster_config: { enabled: false } }, { env: { BIFROST_GOSSIP_KEY: key } });
  assert.equal(fromEnv.config.cluster_config!.gossip.encryption_key, key);
  assert.equal(fromEnv.envRefs['cluster_config.gossip.encryption_key'], 'BIFROST_GOSSIP_KEY');
  const bad = issues({ cluster_config: { gossip: { encryption_key: 'c2hvcnQ=' } } });
  assert.equal(bad[0]!.path, 'cluster_config.gossip.encryption_key');
  assert.match(bad[0]!.message, /16, 24 or 32 bytes/);
  assert.equal(issues({ cluster_config: {} }, { BIFROST_GOSSIP_KEY: 'nope' })[0]!.path, 'cluster_config.gossip.encryption_key');
});

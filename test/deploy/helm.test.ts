// The Helm chart (deploy/helm/bifrost) rendered by a real helm: `helm lint` and `helm template`
// for every example of Bifrost's Cluster Mode & HA page (deploy/helm/bifrost/examples), with the
// rendered config.json read by the gateway's own config loader, the workload, ports, probes, RBAC,
// HPA and checksum checked, and each invalid combination refused at render time with its message.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfigText } from '../../src/config/index.js';
import { EXAMPLES_DIR, helm, render, renderError, type Manifest, type Rendered } from './tools.js';

interface EnvVar { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }
interface Container {
  name: string; image: string;
  ports: Array<{ name: string; containerPort: number; protocol: string }>;
  env: EnvVar[];
  livenessProbe: Record<string, unknown> & { httpGet: { path: string; port: string } };
  readinessProbe: Record<string, unknown> & { httpGet: { path: string; port: string } };
  lifecycle?: unknown; resources?: unknown;
  volumeMounts: Array<{ name: string; mountPath: string; subPath?: string }>;
}
interface PodTemplate {
  metadata: { annotations: Record<string, string>; labels: Record<string, string> };
  spec: { containers: Container[]; terminationGracePeriodSeconds: number; affinity?: unknown; serviceAccountName: string };
}
type Json = Record<string, unknown>;

const SECRET_ENV = { BIFROST_ENCRYPTION_KEY: 'k'.repeat(32), BIFROST_POSTGRES_PASSWORD: 'pw' };
const EXAMPLES = readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.yaml')).sort();
const example = (name: string): string[] => ['-f', join(EXAMPLES_DIR, name)];

function workload(r: Rendered): Manifest {
  return r.find('Deployment') ?? r.get('StatefulSet');
}
function pod(r: Rendered): PodTemplate {
  return (workload(r).spec as { template: PodTemplate }).template;
}
function container(r: Rendered): Container {
  return pod(r).spec.containers[0]!;
}
function configText(r: Rendered): string {
  return (r.get('ConfigMap', 'bifrost-config').data as Record<string, string>)['config.json']!;
}
function config(r: Rendered): Json {
  return JSON.parse(configText(r)) as Json;
}
function ports(r: Rendered): string[] {
  return container(r).ports.map((p) => `${p.name}:${p.containerPort}/${p.protocol}`);
}

/** Every env.NAME in config.json, at any depth. */
function envRefs(value: unknown, out = new Set<string>()): Set<string> {
  if (typeof value === 'string' && value.startsWith('env.')) out.add(value.slice(4));
  else if (Array.isArray(value)) for (const v of value) envRefs(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) envRefs(v, out);
  return out;
}

const CLUSTER_BASE = { enabled: true, gossip: { port: 7946, config: { timeout_seconds: 10, success_threshold: 3, failure_threshold: 3 } } };
const K8S_DISCOVERY = { enabled: true, type: 'kubernetes', bind_port: 7946, k8s_namespace: 'default', k8s_label_selector: 'app.kubernetes.io/name=bifrost' };

/** cluster_config each example must render (Bifrost's snake_case keys). */
const EXPECTED_CLUSTER: Record<string, Json> = {
  'basic-cluster.yaml': { ...CLUSTER_BASE, discovery: { enabled: true, type: 'dns', bind_port: 7946, dns_names: ['bifrost-headless.default.svc.cluster.local'] } },
  'kubernetes-discovery.yaml': { ...CLUSTER_BASE, discovery: K8S_DISCOVERY },
  'dns-discovery.yaml': { ...CLUSTER_BASE, discovery: { enabled: true, type: 'dns', bind_port: 7946, dns_names: ['bifrost-headless.default.svc.cluster.local'] } },
  'static-peers.yaml': {
    ...CLUSTER_BASE,
    peers: [0, 1, 2].map((i) => `bifrost-${i}.bifrost-headless.default.svc.cluster.local:7946`),
  },
  'consul-discovery.yaml': { ...CLUSTER_BASE, discovery: { enabled: true, type: 'consul', bind_port: 7946, service_name: 'bifrost', consul_address: 'consul.consul.svc.cluster.local:8500' } },
  'etcd-discovery.yaml': {
    ...CLUSTER_BASE,
    discovery: {
      enabled: true, type: 'etcd', bind_port: 7946, service_name: 'bifrost',
      etcd_endpoints: [0, 1, 2].map((i) => `http://etcd-${i}.etcd.default.svc.cluster.local:2379`),
    },
  },
  'mdns-discovery.yaml': { ...CLUSTER_BASE, discovery: { enabled: true, type: 'mdns', bind_port: 7946, mdns_service: '_bifrost._tcp' } },
  'address-space-region.yaml': { ...CLUSTER_BASE, region: 'us-east-1', discovery: { ...K8S_DISCOVERY, allowed_address_space: ['10.0.0.0/8', '172.16.0.0/12'] } },
  'ha-production.yaml': { ...CLUSTER_BASE, region: 'us-east-1', discovery: K8S_DISCOVERY },
};
const KUBERNETES_DISCOVERY = new Set(['kubernetes-discovery.yaml', 'address-space-region.yaml', 'ha-production.yaml']);

describe('helm chart: the Cluster Mode & HA examples', { timeout: 120_000 }, () => {
  test('every seed-page example has a values file', () => {
    assert.deepEqual(EXAMPLES, Object.keys(EXPECTED_CLUSTER).sort());
  });

  test('helm lint passes with the defaults and with each example', () => {
    const lint = helm(['lint', '.', '--strict', '--set', 'image.tag=v1.0.0']);
    assert.equal(lint.status, 0, lint.stdout + lint.stderr);
    for (const file of EXAMPLES) {
      const r = helm(['lint', '.', '--strict', ...example(file)]);
      assert.equal(r.status, 0, `${file}: ${r.stdout}${r.stderr}`);
    }
  });

  for (const file of EXAMPLES) {
    test(`${file}: config.json has Bifrost's keys and the gateway's loader accepts it`, () => {
      const r = render(example(file));
      const cfg = config(r);
      assert.deepEqual(cfg.cluster_config, EXPECTED_CLUSTER[file]);
      // PostgreSQL stores with the password as an env reference, never the secret itself.
      for (const store of ['config_store', 'logs_store']) {
        const block = cfg[store] as { type: string; config: Json };
        assert.equal(block.type, 'postgres', store);
        assert.equal(block.config.password, 'env.BIFROST_POSTGRES_PASSWORD', store);
        assert.equal(block.config.port, '5432', store);
        assert.equal(block.config.db_name, 'bifrost', store);
        assert.equal(block.config.ssl_mode, 'require', store);
      }
      // Each env.NAME has a matching container env var from a Secret.
      const env = new Map(container(r).env.map((e) => [e.name, e]));
      for (const name of envRefs(cfg)) assert.ok(env.get(name)?.valueFrom?.secretKeyRef, `${file}: env.${name} has no secret-sourced env var`);
      assert.deepEqual(env.get('BIFROST_POSTGRES_PASSWORD')?.valueFrom?.secretKeyRef, { name: 'postgres-credentials', key: 'password' });
      // The gateway reads it as it will in the pod: no errors, no unknown-key warnings.
      const loaded = parseConfigText(configText(r), { env: SECRET_ENV, source: file });
      assert.deepEqual(loaded.warnings, [], file);
      assert.equal(loaded.envRefs['config_store.config.password'], 'BIFROST_POSTGRES_PASSWORD');
    });

    test(`${file}: workload, gossip ports TCP+UDP, headless Service, probes, RBAC only for kubernetes discovery`, () => {
      const r = render(example(file));
      const kind = file === 'static-peers.yaml' ? 'StatefulSet' : 'Deployment';
      assert.equal(workload(r).kind, kind);
      assert.equal(r.objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet').length, 1);
      assert.deepEqual(ports(r), ['http:8080/TCP', 'gossip:7946/TCP', 'gossip-udp:7946/UDP']);
      const headless = r.get('Service', 'bifrost-headless').spec as { clusterIP: string; ports: Array<{ name: string; port: number; protocol: string }> };
      assert.equal(headless.clusterIP, 'None');
      assert.deepEqual(headless.ports.map((p) => `${p.name}:${p.port}/${p.protocol}`), ['http:8080/TCP', 'gossip:7946/TCP', 'gossip-udp:7946/UDP']);
      if (kind === 'StatefulSet') assert.equal((workload(r).spec as Json).serviceName, 'bifrost-headless');
      const c = container(r);
      assert.equal(c.image, 'bifrost-ts:v1.4.11');
      assert.deepEqual(c.livenessProbe.httpGet, { path: '/health', port: 'http' });
      assert.deepEqual(c.readinessProbe.httpGet, { path: '/health/ready', port: 'http' });
      // Cluster mode: readiness thresholds from gossip.config (10 s / 3 / 3).
      assert.equal(c.readinessProbe.timeoutSeconds, 10);
      assert.equal(c.readinessProbe.successThreshold, 3);
      assert.equal(c.readinessProbe.failureThreshold, 3);
      const role = r.find('Role');
      const binding = r.find('RoleBinding');
      if (KUBERNETES_DISCOVERY.has(file)) {
        assert.ok(role && binding, `${file}: Role/RoleBinding expected`);
        assert.deepEqual(role.rules, [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }]);
        assert.equal(role.metadata.namespace, 'default');
        assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: 'bifrost', namespace: 'default' }]);
        assert.equal(pod(r).spec.serviceAccountName, 'bifrost');
      } else {
        assert.equal(role, undefined, `${file}: no Role without kubernetes discovery`);
        assert.equal(binding, undefined);
      }
    });
  }

  test('ha-production.yaml: client, plugins, encryption key, HPA behavior, drain, affinity, resources, ingress', () => {
    const r = render(example('ha-production.yaml'));
    const cfg = config(r);
    assert.deepEqual(cfg.client, { initial_pool_size: 1000, drop_excess_requests: true, enable_logging: true, enforce_governance_header: true });
    assert.equal(cfg.encryption_key, 'env.BIFROST_ENCRYPTION_KEY');
    assert.deepEqual(cfg.plugins, [
      { enabled: true, name: 'telemetry', config: { push_gateway: { enabled: true, push_gateway_url: 'http://prometheus-pushgateway.monitoring.svc.cluster.local:9091', push_interval: 15 } } },
      { enabled: true, name: 'logging', config: {} },
      { enabled: true, name: 'governance', config: { is_vk_mandatory: true } },
    ]);
    const env = new Map(container(r).env.map((e) => [e.name, e]));
    assert.deepEqual(env.get('BIFROST_ENCRYPTION_KEY')?.valueFrom?.secretKeyRef, { name: 'bifrost-encryption', key: 'encryption-key' });
    assert.equal(env.get('APP_DIR')?.value, '/app/data');
    const loaded = parseConfigText(configText(r), { env: SECRET_ENV });
    assert.equal(loaded.config.client.initial_pool_size, 1000);
    assert.equal(loaded.config.encryption_key, SECRET_ENV.BIFROST_ENCRYPTION_KEY);

    const hpa = r.get('HorizontalPodAutoscaler');
    assert.equal(hpa.apiVersion, 'autoscaling/v2');
    assert.deepEqual(hpa.spec, {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'bifrost' },
      minReplicas: 3,
      maxReplicas: 15,
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
        { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 75 } } },
      ],
      behavior: {
        scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Pods', value: 1, periodSeconds: 120 }] },
        scaleUp: { stabilizationWindowSeconds: 30 },
      },
    });
    // With an HPA the Deployment leaves replicas to it.
    assert.equal((workload(r).spec as Json).replicas, undefined);
    const p = pod(r);
    assert.equal(p.spec.terminationGracePeriodSeconds, 90);
    assert.deepEqual(p.spec.containers[0]!.lifecycle, { preStop: { exec: { command: ['sh', '-c', 'sleep 20'] } } });
    // The drain deadline ends before the kubelet's SIGKILL: 90 s grace − 25 s (preStop 20 + flush).
    const drainEnv = Object.fromEntries(p.spec.containers[0]!.env.map((e) => [e.name, e.value]));
    assert.equal(drainEnv.SHUTDOWN_TIMEOUT, '65');
    assert.equal(drainEnv.DRAIN_DELAY, '2');
    assert.deepEqual(p.spec.containers[0]!.resources, { requests: { cpu: '1000m', memory: '1Gi' }, limits: { cpu: '4000m', memory: '4Gi' } });
    assert.deepEqual(p.spec.affinity, {
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          { labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'bifrost' } }, topologyKey: 'kubernetes.io/hostname' },
        ],
      },
    });
    // The seed page's label selector matches the pods.
    assert.equal(p.metadata.labels['app.kubernetes.io/name'], 'bifrost');
    const ingress = r.get('Ingress').spec as Json;
    assert.equal(ingress.ingressClassName, 'nginx');
    assert.deepEqual(ingress.tls, [{ secretName: 'bifrost-tls', hosts: ['bifrost.yourdomain.com'] }]);
    assert.deepEqual(ingress.rules, [{
      host: 'bifrost.yourdomain.com',
      http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'bifrost', port: { number: 8080 } } } }] },
    }]);
    assert.equal(r.find('PodDisruptionBudget'), undefined);
  });
});

describe('helm chart: defaults, storage modes and the checksum', { timeout: 120_000 }, () => {
  test('defaults: SQLite StatefulSet with a volume per pod, no gossip ports, no RBAC, plain readiness probe', () => {
    const r = render(['--set', 'image.tag=v1.0.0']);
    const sts = r.get('StatefulSet');
    assert.equal(r.find('Deployment'), undefined);
    const spec = sts.spec as { serviceName: string; replicas: number; volumeClaimTemplates: Array<{ metadata: { name: string }; spec: Json }> };
    assert.equal(spec.serviceName, 'bifrost-headless');
    assert.equal(spec.replicas, 1);
    assert.equal(spec.volumeClaimTemplates[0]!.metadata.name, 'data');
    assert.deepEqual(spec.volumeClaimTemplates[0]!.spec.resources, { requests: { storage: '10Gi' } });
    assert.deepEqual(ports(r), ['http:8080/TCP']);
    assert.equal(r.find('Role'), undefined);
    assert.equal(r.find('HorizontalPodAutoscaler'), undefined);
    const cfg = config(r);
    assert.equal(cfg.cluster_config, undefined);
    assert.deepEqual(cfg.config_store, { enabled: true, type: 'sqlite', config: { path: '/app/data/config.db' } });
    assert.deepEqual(cfg.logs_store, { enabled: true, type: 'sqlite', config: { path: '/app/data/logs.db' } });
    const probe = container(r).readinessProbe;
    assert.equal(probe.successThreshold, undefined);
    assert.deepEqual(probe.httpGet, { path: '/health/ready', port: 'http' });
    const mount = container(r).volumeMounts.find((m) => m.name === 'config');
    assert.deepEqual(mount, { name: 'config', mountPath: '/app/data/config.json', subPath: 'config.json', readOnly: true });
    parseConfigText(configText(r), { env: {} });
  });

  test('SQLite without persistence is a Deployment; workload.kind forces either kind', () => {
    assert.equal(workload(render(['--set', 'image.tag=v1', '--set', 'storage.persistence.enabled=false'])).kind, 'Deployment');
    assert.equal(workload(render(['--set', 'image.tag=v1', '--set', 'workload.kind=Deployment'])).kind, 'Deployment');
    assert.equal(workload(render(example('kubernetes-discovery.yaml'))).kind, 'Deployment');
    assert.equal(workload(render([...example('kubernetes-discovery.yaml'), '--set', 'workload.kind=StatefulSet'])).kind, 'StatefulSet');
  });

  test('PodDisruptionBudget, plain postgres password, extraEnv, grpc port and node_id', () => {
    const r = render([
      ...example('dns-discovery.yaml'), '--set', 'podDisruptionBudget.enabled=true', '--set', 'podDisruptionBudget.minAvailable=2',
      '--set', 'postgresql.external.existingSecret=', '--set', 'postgresql.external.password=plain',
      '--set', 'extraEnv.BIFROST_GOSSIP_KEY=abc', '--set', 'bifrost.cluster.grpc.port=10102', '--set', 'bifrost.cluster.nodeId=n1',
    ]);
    const pdb = r.get('PodDisruptionBudget');
    assert.equal(pdb.apiVersion, 'policy/v1');
    assert.deepEqual(pdb.spec, { minAvailable: 2, selector: { matchLabels: { 'app.kubernetes.io/name': 'bifrost', 'app.kubernetes.io/instance': 'bifrost', 'app.kubernetes.io/component': 'server' } } });
    const cfg = config(r);
    assert.equal((cfg.config_store as { config: Json }).config.password, 'plain');
    assert.equal(container(r).env.find((e) => e.name === 'BIFROST_POSTGRES_PASSWORD'), undefined);
    assert.equal(container(r).env.find((e) => e.name === 'BIFROST_GOSSIP_KEY')?.value, 'abc');
    assert.deepEqual((cfg.cluster_config as Json).grpc, { port: 10102 });
    assert.equal((cfg.cluster_config as Json).node_id, 'n1');
    assert.ok(ports(r).includes('grpc:10102/TCP'));
  });

  test('checksum/config changes with config.json and only with it', () => {
    const sum = (args: string[]): string => pod(render([...example('ha-production.yaml'), ...args])).metadata.annotations['checksum/config']!;
    const base = sum([]);
    assert.match(base, /^[0-9a-f]{64}$/);
    assert.equal(sum([]), base, 'stable across renders');
    assert.notEqual(sum(['--set', 'bifrost.client.initialPoolSize=500']), base);
    assert.notEqual(sum(['--set', 'bifrost.cluster.region=eu-west-1']), base);
    assert.notEqual(sum(['--set', 'bifrost.cluster.gossip.config.failureThreshold=5']), base);
    assert.equal(sum(['--set', 'replicaCount=5', '--set', 'terminationGracePeriodSeconds=120']), base, 'pod-only values keep the checksum');
  });
});

describe('helm chart: invalid combinations fail at render time', { timeout: 120_000 }, () => {
  const cluster = ['--set', 'image.tag=v1', '--set', 'bifrost.cluster.enabled=true'];
  const pg = [...example('dns-discovery.yaml')];
  const disc = (type: string, ...more: string[]): string[] => [
    ...pg, '--set', 'bifrost.cluster.discovery.dnsNames=null', '--set', `bifrost.cluster.discovery.type=${type}`, ...more.flatMap((m) => ['--set', m]),
  ];
  const cases: Array<[string, string[], RegExp]> = [
    ['image.tag missing', [], /image\.tag is required/],
    ['cluster mode on SQLite', cluster, /bifrost\.cluster\.enabled requires PostgreSQL.*SQLite is single-node only/],
    ['consul without serviceName', disc('consul', 'bifrost.cluster.discovery.consulAddress=c:8500'), /serviceName is required for consul discovery/],
    ['etcd without serviceName', disc('etcd', 'bifrost.cluster.discovery.etcdEndpoints[0]=http://e:2379'), /serviceName is required for etcd discovery/],
    ['udp without serviceName', disc('udp', 'bifrost.cluster.discovery.udpBroadcastPort=7947', 'bifrost.cluster.discovery.allowedAddressSpace[0]=10.0.0.0/8'), /serviceName is required for udp discovery/],
    ['consul without address', disc('consul', 'bifrost.cluster.discovery.serviceName=b'), /consulAddress is required for consul discovery/],
    ['etcd without endpoints', disc('etcd', 'bifrost.cluster.discovery.serviceName=b'), /etcdEndpoints is required for etcd discovery/],
    ['udp without udpBroadcastPort', disc('udp', 'bifrost.cluster.discovery.serviceName=b', 'bifrost.cluster.discovery.allowedAddressSpace[0]=10.0.0.0/8'), /udp discovery requires both .*udpBroadcastPort and .*allowedAddressSpace/],
    ['udp without allowedAddressSpace', disc('udp', 'bifrost.cluster.discovery.serviceName=b', 'bifrost.cluster.discovery.udpBroadcastPort=7947'), /udp discovery requires both/],
    ['discovery enabled without type', disc(''), /discovery\.type is required when discovery is enabled/],
    ['unknown discovery type', disc('zookeeper'), /discovery\.type must be one of .*got "zookeeper"/],
    ['dns without dnsNames', disc('dns'), /dnsNames is required for dns discovery/],
    ['postgres without an external host', ['--set', 'image.tag=v1', '--set', 'storage.mode=postgres'], /postgresql\.external\.enabled: true and postgresql\.external\.host/],
    ['unknown storage mode', ['--set', 'image.tag=v1', '--set', 'storage.mode=mysql'], /storage\.mode must be "sqlite" or "postgres"/],
    ['gossip threshold missing', [...pg, '--set', 'bifrost.cluster.gossip.config.timeoutSeconds=null'], /gossip\.config\.timeoutSeconds is required/],
  ];
  for (const [name, args, message] of cases) {
    test(name, () => {
      assert.match(renderError(args), message);
    });
  }
});

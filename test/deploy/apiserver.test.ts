// The chart's manifests against a real kube-apiserver (test/deploy/kube-apiserver.ts): every
// example and the defaults pass `kubectl apply --dry-run=server` (the API's own schema and
// validation, strict fields), and the Cluster Mode & HA page's commands work with this chart —
// its Secrets, hand-made Role/RoleBinding and headless Service, then `helm install`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHART_DIR, EXAMPLES_DIR, helm } from './tools.js';
import { KubeApiServer } from './kube-apiserver.js';

const EXAMPLES = readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.yaml')).sort();

// From Bifrost's Cluster Mode & HA page: the RBAC it applies by hand before `helm install`.
const PAGE_RBAC = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: bifrost-pod-discovery
  namespace: default
rules:
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["list", "get", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: bifrost-pod-discovery
  namespace: default
subjects:
- kind: ServiceAccount
  name: bifrost
  namespace: default
roleRef:
  kind: Role
  name: bifrost-pod-discovery
  apiGroup: rbac.authorization.k8s.io
`;

// Also the page's: the headless Service it has users create for Deployments.
const PAGE_HEADLESS = `apiVersion: v1
kind: Service
metadata:
  name: bifrost-headless
spec:
  clusterIP: None
  selector:
    app.kubernetes.io/name: bifrost
  ports:
  - name: gossip
    port: 7946
    protocol: TCP
`;

describe('helm chart against a real kube-apiserver', { timeout: 300_000 }, () => {
  let kube: KubeApiServer | undefined;
  before(async () => { kube = await KubeApiServer.start(); }, { timeout: 180_000 });
  after(async () => { await kube?.stop(); });

  const dryRun = (name: string, args: string[]): void => {
    const rendered = helm(['template', 'bifrost', '.', '--namespace', 'default', ...args]);
    assert.equal(rendered.status, 0, rendered.stderr);
    const file = join(kube!.dir, `${name}.rendered.yaml`);
    writeFileSync(file, rendered.stdout);
    const r = kube!.kubectl(['apply', '--dry-run=server', '--validate=strict', '-f', file]);
    assert.equal(r.status, 0, `${name}: ${r.stderr}`);
    assert.match(r.stdout, /\(server dry run\)/);
  };

  test('defaults (SQLite StatefulSet) pass a server-side dry run', () => {
    dryRun('defaults', ['--set', 'image.tag=v1.0.0']);
  });

  for (const file of EXAMPLES) {
    test(`${file} passes a server-side dry run`, () => {
      dryRun(file, ['-f', join(EXAMPLES_DIR, file)]);
    });
  }

  test('the page\'s commands: Secrets, hand-made RBAC and headless Service, then helm install of ha-production', () => {
    const k = kube!;
    const ok = (r: { status: number | null; stderr: string }, what: string): void => assert.equal(r.status, 0, `${what}: ${r.stderr}`);
    ok(k.kubectl(['create', 'secret', 'generic', 'postgres-credentials', '--from-literal=password=your-secure-postgres-password']), 'postgres secret');
    ok(k.kubectl(['create', 'secret', 'generic', 'bifrost-encryption', '--from-literal=encryption-key=your-32-byte-encryption-key']), 'encryption secret');
    ok(k.kubectl(['apply', '-f', '-'], PAGE_RBAC), 'page RBAC');
    ok(k.kubectl(['apply', '-f', '-'], PAGE_HEADLESS), 'page headless Service');
    const install = helm(['install', 'bifrost', CHART_DIR, '-f', join(EXAMPLES_DIR, 'ha-production.yaml'), '--namespace', 'default'], { env: k.helmEnv(), timeoutMs: 120_000 });
    assert.equal(install.status, 0, install.stderr);
    for (const object of ['deployment/bifrost', 'service/bifrost', 'configmap/bifrost-config', 'serviceaccount/bifrost',
      'role/bifrost-discovery', 'rolebinding/bifrost-discovery', 'hpa/bifrost', 'ingress/bifrost', 'role/bifrost-pod-discovery']) {
      ok(k.kubectl(['get', object]), object);
    }
    // The hand-made headless Service is left as it was, not adopted or replaced.
    const headless = k.kubectl(['get', 'service', 'bifrost-headless', '-o', 'json']);
    ok(headless, 'headless');
    const svc = JSON.parse(headless.stdout) as { metadata: { annotations?: Record<string, string> }; spec: { ports: unknown[] } };
    assert.equal(svc.metadata.annotations?.['meta.helm.sh/release-name'], undefined);
    assert.equal(svc.spec.ports.length, 1);
    const upgrade = helm(['upgrade', 'bifrost', CHART_DIR, '-f', join(EXAMPLES_DIR, 'ha-production.yaml'), '--set', 'bifrost.cluster.region=eu-west-1', '--namespace', 'default'], { env: k.helmEnv(), timeoutMs: 120_000 });
    assert.equal(upgrade.status, 0, upgrade.stderr);
    const uninstall = helm(['uninstall', 'bifrost', '--namespace', 'default'], { env: k.helmEnv(), timeoutMs: 120_000 });
    assert.equal(uninstall.status, 0, uninstall.stderr);
  });
});

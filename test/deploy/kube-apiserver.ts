// A throwaway Kubernetes API server for chart tests: a private etcd and a real kube-apiserver on
// 127.0.0.1 (ports picked free), a service-account key pair and a static admin token, and a
// kubeconfig for kubectl and helm. No scheduler or kubelet: objects are stored, pods never run.
// Every wait is bounded and start-up failures carry the process's last output.
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinary } from '../support/components.js';
import { waitFor } from '../support/wait.js';
import { requireTool } from './tools.js';
import { freePort } from '../support/ports.js';


/** A child process whose recent output is kept for error messages. */
function start(bin: string, args: string[]): { proc: ChildProcess; output: () => string } {
  const proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const keep = (chunk: Buffer): void => { tail = (tail + chunk.toString()).slice(-4000); };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  return { proc, output: () => tail };
}

async function stopProcess(proc: ChildProcess | undefined): Promise<void> {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

function getStatus(url: string, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { rejectUnauthorized: false, headers: { authorization: `Bearer ${token}` }, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

export class KubeApiServer {
  private constructor(
    readonly dir: string,
    readonly kubeconfig: string,
    private readonly procs: ChildProcess[],
  ) {}

  static async start(): Promise<KubeApiServer> {
    const apiserverBin = requireTool('kube-apiserver');
    requireTool('kubectl');
    const etcdBin = requireBinary('etcd');
    const dir = mkdtempSync(join(tmpdir(), 'bifrost-kube-'));
    const procs: ChildProcess[] = [];
    try {
      const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
      const etcd = start(etcdBin, [
        '--name', 'test', '--data-dir', join(dir, 'etcd'),
        '--listen-client-urls', `http://127.0.0.1:${etcdClient}`, '--advertise-client-urls', `http://127.0.0.1:${etcdClient}`,
        '--listen-peer-urls', `http://127.0.0.1:${etcdPeer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${etcdPeer}`,
        '--initial-cluster', `test=http://127.0.0.1:${etcdPeer}`,
      ]);
      procs.push(etcd.proc);
      await waitFor(async () => {
        if (etcd.proc.exitCode !== null) throw new Error(`etcd exited: ${etcd.output()}`);
        const res = await fetch(`http://127.0.0.1:${etcdClient}/health`);
        return res.ok && (await res.text()).includes('true');
      }, { timeoutMs: 20_000, intervalMs: 100, message: 'etcd /health' });

      const { publicKey, privateKey } = generateKeyPairSync('rsa', {
        modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      });
      writeFileSync(join(dir, 'sa.pub'), publicKey);
      writeFileSync(join(dir, 'sa.key'), privateKey, { mode: 0o600 });
      const token = randomBytes(24).toString('hex');
      writeFileSync(join(dir, 'tokens.csv'), `${token},admin,admin-uid,system:masters\n`, { mode: 0o600 });
      const api = start(apiserverBin, [
        `--etcd-servers=http://127.0.0.1:${etcdClient}`, '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1',
        `--secure-port=${apiPort}`, '--endpoint-reconciler-type=none', `--cert-dir=${join(dir, 'certs')}`,
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${join(dir, 'sa.pub')}`, `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
        `--token-auth-file=${join(dir, 'tokens.csv')}`, '--authorization-mode=RBAC',
        '--service-cluster-ip-range=10.96.0.0/16', '--disable-admission-plugins=ServiceAccount',
      ]);
      procs.push(api.proc);
      const server = `https://127.0.0.1:${apiPort}`;
      await waitFor(async () => {
        if (api.proc.exitCode !== null) throw new Error(`kube-apiserver exited (${api.proc.exitCode}): ${api.output()}`);
        const r = await getStatus(`${server}/readyz`, token);
        return r.status === 200 && r.body.trim() === 'ok';
      }, { timeoutMs: 120_000, intervalMs: 250, message: 'kube-apiserver /readyz' });

      const kubeconfig = join(dir, 'kubeconfig');
      writeFileSync(kubeconfig, [
        'apiVersion: v1', 'kind: Config', 'current-context: test',
        'clusters:', `- name: test`, `  cluster: { server: "${server}", insecure-skip-tls-verify: true }`,
        'users:', `- name: admin`, `  user: { token: "${token}" }`,
        'contexts:', `- name: test`, `  context: { cluster: test, user: admin, namespace: default }`, '',
      ].join('\n'), { mode: 0o600 });
      const kube = new KubeApiServer(dir, kubeconfig, procs);
      // The default namespace is made by the apiserver's own bootstrap controller, shortly after ready.
      await waitFor(() => kube.kubectl(['get', 'namespace', 'default']).status === 0,
        { timeoutMs: 30_000, intervalMs: 250, message: 'namespace default' });
      return kube;
    } catch (error) {
      for (const p of procs.reverse()) await stopProcess(p);
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }

  kubectl(args: string[], input?: string): SpawnSyncReturns<string> {
    return spawnSync(requireTool('kubectl'), ['--kubeconfig', this.kubeconfig, ...args], { encoding: 'utf8', input, timeout: 60_000 });
  }

  /** Env for helm: this kubeconfig and helm's own folders inside the throwaway dir. */
  helmEnv(): NodeJS.ProcessEnv {
    return {
      ...process.env, KUBECONFIG: this.kubeconfig,
      HELM_CACHE_HOME: join(this.dir, 'helm/cache'), HELM_CONFIG_HOME: join(this.dir, 'helm/config'), HELM_DATA_HOME: join(this.dir, 'helm/data'),
    };
  }

  async stop(): Promise<void> {
    for (const p of [...this.procs].reverse()) await stopProcess(p);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

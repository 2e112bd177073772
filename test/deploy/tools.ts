// Finds helm, kube-apiserver and kubectl (built by .ci/run from the Go module proxy into
// ${BIFROST_CI_CACHE:-~/.cache/bifrost-ci}/bin) and runs helm against the chart. A missing tool fails
// the test with the command that builds it, as test/support/components.ts does for Debian packages.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { parseAllDocuments } from 'yaml';

export const CHART_DIR = join(import.meta.dirname, '../../deploy/helm/bifrost');
export const EXAMPLES_DIR = join(CHART_DIR, 'examples');

export const cacheBin = (): string => join(process.env.BIFROST_CI_CACHE ?? join(homedir(), '.cache/bifrost-ci'), 'bin');

const BUILD = {
  helm: 'GOBIN=~/.cache/bifrost-ci/bin go install helm.sh/helm/v4/cmd/helm@v4.3.2',
  'kube-apiserver': 'the "== helm and kube-apiserver" block of .ci/run (builds k8s.io/kubernetes/cmd/kube-apiserver v1.37.2 into ~/.cache/bifrost-ci/bin)',
  kubectl: 'the "== helm and kube-apiserver" block of .ci/run (builds k8s.io/kubernetes/cmd/kubectl v1.37.2 into ~/.cache/bifrost-ci/bin)',
} as const;

/** The tool from the CI cache folder first (the version .ci/run pins), else from PATH. */
export function requireTool(name: keyof typeof BUILD): string {
  const dirs = [cacheBin(), ...(process.env.PATH ?? '').split(delimiter)].filter(Boolean);
  for (const dir of dirs) {
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // keep looking
    }
  }
  const how = process.env.CI ? `CI must build it: bash .ci/run builds it with ${BUILD[name]}` : `build it with ${BUILD[name]}`;
  throw new Error(`required test component "${name}" not found in ${cacheBin()} or PATH; ${how}`);
}

export interface HelmResult { status: number; stdout: string; stderr: string }

export function helm(args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): HelmResult {
  const r = spawnSync(requireTool('helm'), args, { encoding: 'utf8', timeout: options.timeoutMs ?? 60_000, cwd: CHART_DIR, env: options.env ?? process.env });
  if (r.error) throw r.error;
  return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

/** A rendered Kubernetes object, loosely typed: tests read fields by path. */
export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; annotations?: Record<string, string> } } & Record<string, unknown>;

export interface Rendered {
  yaml: string;
  objects: Manifest[];
  find(kind: string, name?: string): Manifest | undefined;
  get(kind: string, name?: string): Manifest;
}

/** `helm template bifrost <chart> --namespace default <args>`; throws with helm's stderr when it fails. */
export function render(args: string[]): Rendered {
  const r = helm(['template', 'bifrost', '.', '--namespace', 'default', ...args]);
  if (r.status !== 0) throw new Error(`helm template ${args.join(' ')} failed: ${r.stderr}`);
  const objects = parseAllDocuments(r.stdout)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`rendered YAML does not parse: ${doc.errors[0]!.message}`);
      return doc.toJS() as Manifest | null;
    })
    .filter((o): o is Manifest => o !== null);
  const find = (kind: string, name?: string): Manifest | undefined =>
    objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  return {
    yaml: r.stdout,
    objects,
    find,
    get(kind, name) {
      const o = find(kind, name);
      if (!o) throw new Error(`no ${kind}${name ? ` ${name}` : ''} rendered; got ${objects.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')}`);
      return o;
    },
  };
}

/** The error text of a render that must fail. */
export function renderError(args: string[]): string {
  const r = helm(['template', 'bifrost', '.', '--namespace', 'default', ...args]);
  if (r.status === 0) throw new Error(`helm template ${args.join(' ')} succeeded; expected a failure`);
  return r.stderr;
}

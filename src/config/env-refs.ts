// Resolves Bifrost's `env.VAR` references anywhere in a parsed config.json. It records which env
// variable fed which key path (so the admin API can show `env.X` instead of the secret) and reports
// every missing variable with its key path rather than failing on the first.
import type { ConfigIssue } from './issues.js';
import { formatPath } from './issues.js';

const ENV_PREFIX = 'env.';

export interface EnvResolution {
  value: unknown;
  /** Key path → env var name, for every reference that was resolved. */
  envRefs: Record<string, string>;
  issues: ConfigIssue[];
}

export function resolveEnvRefs(input: unknown, env: Readonly<Record<string, string | undefined>>): EnvResolution {
  const envRefs: Record<string, string> = {};
  const issues: ConfigIssue[] = [];
  const walk = (node: unknown, path: PropertyKey[]): unknown => {
    if (typeof node === 'string') {
      if (!node.startsWith(ENV_PREFIX) || node.length === ENV_PREFIX.length) return node;
      const name = node.slice(ENV_PREFIX.length);
      const value = env[name];
      const at = formatPath(path);
      if (value === undefined || value === '') {
        issues.push({ path: at, message: `environment variable ${name} is not set (referenced as "${node}")` });
        return node;
      }
      envRefs[at] = name;
      return value;
    }
    if (Array.isArray(node)) return node.map((item, index) => walk(item, [...path, index]));
    if (typeof node === 'object' && node !== null) {
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(node)) out[key] = walk(child, [...path, key]);
      return out;
    }
    return node;
  };
  return { value: walk(input, []), envRefs, issues };
}

// Turns validation failures into one error that lists every problem with its key path and what was
// expected (`providers.openai.keys[0].weight: expected number, got string`), so an operator fixes a
// config.json in one pass instead of one startup per typo.
import type { z } from 'zod';

export interface ConfigIssue {
  /** Key path in config.json, e.g. `providers.openai.keys[0].weight`. */
  path: string;
  message: string;
}

export class ConfigError extends Error {
  readonly issues: readonly ConfigIssue[];
  readonly source: string;

  constructor(source: string, issues: ConfigIssue[]) {
    const lines = issues.map((issue) => `  ${issue.path || '(root)'}: ${issue.message}`);
    super(`invalid configuration in ${source}:\n${lines.join('\n')}`);
    this.name = 'ConfigError';
    this.issues = issues;
    this.source = source;
  }
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): { found: boolean; value: unknown } {
  let current: unknown = root;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null) return { found: false, value: undefined };
    const record = current as Record<PropertyKey, unknown>;
    if (!(segment in record)) return { found: false, value: undefined };
    current = record[segment];
  }
  return { found: true, value: current };
}

export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  const at = valueAt(raw, issue.path);
  switch (issue.code) {
    case 'invalid_type':
      if (!at.found || at.value === undefined) return `required (expected ${issue.expected})`;
      return `expected ${issue.expected}, got ${describeType(at.value)}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(at.value)}`;
    case 'too_small':
      return `expected ${issue.origin === 'array' ? 'at least' : '>='} ${String(issue.minimum)}${issue.origin === 'array' ? ' items' : ''}${issue.origin === 'string' ? ' characters' : ''}, got ${JSON.stringify(at.value)}`;
    case 'too_big':
      return `expected <= ${String(issue.maximum)}, got ${JSON.stringify(at.value)}`;
    case 'invalid_format':
      return `expected a valid ${issue.format}, got ${JSON.stringify(at.value)}`;
    default:
      return issue.message;
  }
}

export function zodIssues(error: z.ZodError, raw: unknown): ConfigIssue[] {
  return error.issues.map((issue) => ({ path: formatPath(issue.path), message: describeIssue(issue, raw) }));
}

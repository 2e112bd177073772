// Size bounds of the admin API's bodies (providers, config, plugins). Their schemas keep unknown
// fields (Bifrost's provider keys carry per-cloud blocks, plugin configs are free-form), so besides
// the named limits on names and secrets, `bounded()` walks the whole parsed value: every string,
// list, object, the nesting depth and the total amount of text are capped. A 50 MB name or a list
// of a million entries is then a 400 naming the field and the limit instead of a stored row that
// every restart loads back into memory.
import type { z } from 'zod';

export const ADMIN_LIMITS = {
  /** Provider, key and plugin names and ids, usernames (Bifrost's varchar(255)). */
  name: 255,
  /** A secret such as a provider API key (a cloud service-account JSON is a few KB). */
  secret: 16 * 1024,
  /** An admin password (it is hashed with a deliberately slow function). */
  password: 1024,
  /** A file system path (plugin `path`). */
  path: 4096,
  /** Keys of one provider. */
  keys: 1000,
} as const;

export interface JsonBounds {
  maxString: number;
  maxItems: number;
  maxKeys: number;
  maxKeyLength: number;
  maxDepth: number;
  /** Characters of all strings and object keys together. */
  maxTotal: number;
}

/** For anything without a tighter limit of its own. */
export const DEFAULT_BOUNDS: JsonBounds = {
  maxString: 64 * 1024, maxItems: 1000, maxKeys: 1000, maxKeyLength: 255, maxDepth: 32, maxTotal: 1024 * 1024,
};

export interface BoundsIssue {
  path: (string | number)[];
  message: string;
}

/** The first place where `value` exceeds `bounds`, or undefined; the recursion stops at maxDepth. */
export function jsonBoundsIssue(value: unknown, bounds: JsonBounds = DEFAULT_BOUNDS): BoundsIssue | undefined {
  let total = 0;
  const spend = (chars: number, path: (string | number)[]): BoundsIssue | undefined => {
    total += chars;
    return total > bounds.maxTotal ? { path, message: `the body holds more than ${bounds.maxTotal} characters of text in total` } : undefined;
  };
  const walk = (node: unknown, path: (string | number)[], depth: number): BoundsIssue | undefined => {
    if (typeof node === 'string') {
      if (node.length > bounds.maxString) return { path, message: `must be at most ${bounds.maxString} characters` };
      return spend(node.length, path);
    }
    if (typeof node !== 'object' || node === null) return undefined;
    if (depth >= bounds.maxDepth) return { path, message: `nested deeper than ${bounds.maxDepth} levels` };
    if (Array.isArray(node)) {
      if (node.length > bounds.maxItems) return { path, message: `must have at most ${bounds.maxItems} items` };
      for (let i = 0; i < node.length; i++) {
        const issue = walk(node[i], [...path, i], depth + 1);
        if (issue) return issue;
      }
      return undefined;
    }
    const entries = Object.entries(node);
    if (entries.length > bounds.maxKeys) return { path, message: `must have at most ${bounds.maxKeys} fields` };
    for (const [key, child] of entries) {
      if (key.length > bounds.maxKeyLength) return { path, message: `field names must be at most ${bounds.maxKeyLength} characters` };
      const issue = spend(key.length, path) ?? walk(child, [...path, key], depth + 1);
      if (issue) return issue;
    }
    return undefined;
  };
  return walk(value, [], 0);
}

/** `schema`, then `bounds` over everything it kept (unknown fields included). */
export function bounded<S extends z.ZodType>(schema: S, bounds: JsonBounds = DEFAULT_BOUNDS) {
  return schema.superRefine((value, ctx) => {
    const issue = jsonBoundsIssue(value, bounds);
    if (issue) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  });
}

/** A superRefine check: each named string field of an object is at most its limit. */
export function maxLengths(limits: Readonly<Record<string, number>>) {
  return (value: Record<string, unknown>, ctx: z.RefinementCtx): void => {
    for (const [field, max] of Object.entries(limits)) {
      const v = value[field];
      if (typeof v === 'string' && v.length > max) ctx.addIssue({ code: 'custom', path: [field], message: `must be at most ${max} characters` });
    }
  };
}

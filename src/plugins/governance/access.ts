// Who may call what: resolving the virtual key from the request headers, and the provider and
// model filters of a virtual key (allowed/blacklisted models with `regex:` entries, key ids).
import type { ProviderConfig, VirtualKey } from './state.js';
import { VK_PREFIX } from './state.js';

const KEY_HEADERS = ['x-api-key', 'x-goog-api-key', 'api-key'] as const;
const BEARER = /^bearer\s+/i;

/**
 * The virtual key the caller presented: `x-bf-vk` (any value, old `vk-` keys included), or an
 * `sk-bf-` value in `Authorization: Bearer`, `x-api-key`, `x-goog-api-key` or `api-key`.
 */
export function virtualKeyFromHeaders(headers: Readonly<Record<string, string | undefined>>): string | undefined {
  const direct = headers['x-bf-vk']?.trim();
  if (direct) return direct;
  const auth = headers.authorization;
  if (auth) {
    const token = bearerToken(auth);
    if (token?.startsWith(VK_PREFIX)) return token;
  }
  for (const name of KEY_HEADERS) {
    const value = headers[name]?.trim();
    if (value?.startsWith(VK_PREFIX)) return value;
  }
  return undefined;
}

/** The token of an `Authorization: Bearer <token>` value (scheme case-insensitive, spaces trimmed). */
function bearerToken(auth: string): string | undefined {
  // The usual spelling needs no regex; trim() and \s strip the same whitespace.
  if (auth.startsWith('Bearer ')) return auth.slice(7).trim();
  const trimmed = auth.trim();
  return BEARER.test(trimmed) ? trimmed.replace(BEARER, '').trim() : undefined;
}

/** Compiled `regex:` entries, owned by one plugin instance (no module-level state). */
export class PatternCache {
  private readonly compiled = new Map<string, RegExp | null>();

  get(entry: string): RegExp | null {
    let re = this.compiled.get(entry);
    if (re === undefined) {
      try {
        re = new RegExp(`^(?:${entry.slice(6)})$`, 'i');
      } catch {
        re = null; // an invalid pattern matches nothing; the admin API rejects it on write
      }
      if (this.compiled.size < 10_000) this.compiled.set(entry, re);
    }
    return re;
  }
}

/** Whether `model` matches a list entry: exact, `*`, or `regex:<re>` (full match, case-insensitive). */
export function listMatches(list: string[], model: string, patterns: PatternCache): boolean {
  for (const entry of list) {
    if (entry === '*' || entry === model) return true;
    if (entry.startsWith('regex:') && patterns.get(entry)?.test(model)) return true;
  }
  return false;
}

export interface AllowListOptions {
  /** config.json `version: 1` restores "empty list = allow all". */
  emptyAllowsAll: boolean;
  patterns: PatternCache;
}

export function modelAllowedBy(pc: ProviderConfig, model: string, options: AllowListOptions): boolean {
  if (pc.blacklisted_models && listMatches(pc.blacklisted_models, model, options.patterns)) return false;
  if (pc.allowed_models === undefined) return true;
  if (pc.allowed_models.length === 0) return options.emptyAllowsAll;
  return listMatches(pc.allowed_models, model, options.patterns);
}

/** The VK's config for `provider`; `null` when the VK allows every provider without one. */
export function providerConfigFor(vk: VirtualKey, provider: string, options: AllowListOptions): ProviderConfig | null | undefined {
  const pc = vk.provider_configs.find((c) => c.provider === provider);
  if (pc) return pc;
  if (vk.allow_all_providers || (vk.provider_configs.length === 0 && options.emptyAllowsAll)) return null;
  return undefined;
}

/** Provider key ids the VK restricts `pc` to, or undefined when every key may be used. */
export function allowedKeyIds(pc: ProviderConfig | null, options: AllowListOptions): string[] | undefined {
  if (!pc?.key_ids || pc.key_ids.includes('*')) return undefined;
  if (pc.key_ids.length === 0 && options.emptyAllowsAll) return undefined;
  return pc.key_ids;
}

/** Validates `regex:` entries so the admin API can answer 400 instead of storing a dead rule. */
export function invalidPatterns(list: string[] | undefined): string[] {
  const bad: string[] = [];
  for (const entry of list ?? []) {
    if (!entry.startsWith('regex:')) continue;
    try {
      new RegExp(entry.slice(6));
    } catch {
      bad.push(entry);
    }
  }
  return bad;
}

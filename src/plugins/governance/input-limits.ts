// Size bounds of governance inputs: the admin API's bodies and config.json's `governance` block
// share them. Without bounds a 50 MB virtual-key name was stored and loaded back into memory on
// every start; with them such a body is a 400 naming the field and its limit. Names and ids follow
// Bifrost's varchar(255) columns; the counts are far above any real setup (one provider config per
// provider, a handful of budgets per entity).
import { z } from 'zod';

export const LIMITS = {
  /** Entity names, provider names, ids and references to ids. */
  name: 255,
  description: 4096,
  /** A virtual key's own value (a secret the caller presents; Bifrost's are `sk-bf-` + a UUID). */
  vkValue: 512,
  /** One allowed/blacklisted model entry, which may be a `regex:` pattern. */
  modelPattern: 1024,
  /** `expires_at`, `last_reset`: RFC 3339 timestamps. */
  timestamp: 64,
  /** allowed_models, blacklisted_models, key_ids. */
  listItems: 1000,
  providerConfigs: 256,
  budgets: 32,
} as const;

/** A string of at most `max` characters, with a message that names the limit. */
export const text = (max: number) => z.string().max(max, { message: `must be at most ${max} characters` });

/** An array of at most `max` items, with a message that names the limit. */
export const list = <T extends z.ZodType>(item: T, max: number) => z.array(item).max(max, { message: `must have at most ${max} items` });

export const idText = text(LIMITS.name).min(1);
export const nameText = text(LIMITS.name).min(1);
export const modelList = list(text(LIMITS.modelPattern), LIMITS.listItems);

// The zod schema of config.json's `governance` block (Bifrost's keys: budgets and rate limits as
// top-level lists referenced by id from customers, teams, virtual keys and their provider configs)
// and of the governance plugin's own options (`plugins[].config` for the `governance` entry).
// Durations are validated here (format and range) so the rules never see a malformed one, and
// strings and lists are bounded (input-limits.ts) as the admin API's bodies are.
import { z } from 'zod';
import { idText, LIMITS, list, modelList, nameText, text } from './input-limits.js';
import { parseDuration } from './windows/duration.js';

/** The plugin's name in config.json `plugins` (here, so the wiring can match it without loading the plugin). */
export const GOVERNANCE_PLUGIN = 'governance';

const durationText = (allowQuarter: boolean) => z.string().superRefine((value, ctx) => {
  const parsed = parseDuration(value, { allowQuarter });
  if ('error' in parsed) ctx.addIssue({ code: 'custom', message: parsed.error });
});

const id = idText;
const idList = list(id, LIMITS.budgets);

export const budgetSchema = z.object({
  id,
  max_limit: z.number().nonnegative(),
  reset_duration: durationText(true),
  calendar_aligned: z.boolean().optional(),
  /** Seed usage (Bifrost exports carry it); live usage comes from the counters. */
  current_usage: z.number().nonnegative().optional(),
  last_reset: text(LIMITS.timestamp).optional(),
});

export const rateLimitSchema = z.object({
  id,
  token_max_limit: z.number().int().nonnegative().nullish(),
  token_reset_duration: durationText(false).nullish(),
  request_max_limit: z.number().int().nonnegative().nullish(),
  request_reset_duration: durationText(false).nullish(),
}).superRefine((rl, ctx) => {
  if (rl.token_max_limit != null && !rl.token_reset_duration) {
    ctx.addIssue({ code: 'custom', path: ['token_reset_duration'], message: 'required when token_max_limit is set' });
  }
  if (rl.request_max_limit != null && !rl.request_reset_duration) {
    ctx.addIssue({ code: 'custom', path: ['request_reset_duration'], message: 'required when request_max_limit is set' });
  }
});

const owned = {
  budget_id: id.nullish(),
  budget_ids: idList.optional(),
  rate_limit_id: id.nullish(),
};

export const customerSchema = z.object({ id, name: nameText, ...owned });

export const teamSchema = z.object({ id, name: nameText, customer_id: id.nullish(), ...owned });

/** A VK provider config's own fields, shared by config.json and the admin API's bodies. */
export const providerConfigFields = {
  id: z.union([text(LIMITS.name), z.number()]).optional(),
  provider: nameText,
  weight: z.number().nonnegative().default(1),
  /** Missing = every model; [] = none (v2) or all (version 1); `regex:<re>` entries full-match. */
  allowed_models: modelList.optional(),
  blacklisted_models: modelList.optional(),
  /** Missing or ["*"] = every key of the provider. */
  key_ids: list(text(LIMITS.name), LIMITS.listItems).optional(),
};

export const providerConfigSchema = z.object({ ...providerConfigFields, ...owned });

export const virtualKeySchema = z.object({
  id,
  name: nameText,
  value: text(LIMITS.vkValue).min(1).optional(),
  description: text(LIMITS.description).optional(),
  is_active: z.boolean().default(true),
  team_id: id.nullish(),
  customer_id: id.nullish(),
  provider_configs: list(providerConfigSchema, LIMITS.providerConfigs).default([]),
  allow_all_providers: z.boolean().optional(),
  expires_at: text(LIMITS.timestamp).nullish(),
  calendar_aligned: z.boolean().optional(),
  ...owned,
}).superRefine((vk, ctx) => {
  if (vk.team_id && vk.customer_id) {
    ctx.addIssue({ code: 'custom', path: ['customer_id'], message: 'a virtual key belongs to a team or a customer, not both' });
  }
});

export const governanceConfigSchema = z.looseObject({
  budgets: z.array(budgetSchema).default([]),
  rate_limits: z.array(rateLimitSchema).default([]),
  customers: z.array(customerSchema).default([]),
  teams: z.array(teamSchema).default([]),
  virtual_keys: z.array(virtualKeySchema).default([]),
  auth_config: z.looseObject({
    is_enabled: z.boolean().optional(),
    admin_username: z.string().optional(),
    admin_password: z.string().optional(),
    disable_auth_on_inference: z.boolean().optional(),
  }).optional(),
});

/** Options of the governance plugin itself (`plugins: [{ name: "governance", config: {...} }]`). */
export const governancePluginConfigSchema = z.looseObject({
  is_vk_mandatory: z.boolean().default(false),
  required_headers: z.array(z.string()).default([]),
  /**
   * What admission does when the usage counters fail (e.g. a replicated implementation cannot
   * reach its peers): `fail_open` admits the request uncounted and logs it; `fail_closed` rejects
   * it with 503 `governance_unavailable`.
   */
  counter_failure_policy: z.enum(['fail_open', 'fail_closed']).default('fail_open'),
  /** Completion tokens assumed at admission when the request sets no max_tokens. */
  default_completion_tokens_estimate: z.number().int().positive().default(1024),
  /** Background flush of usage to the config store, ms (Bifrost: 10 s). */
  flush_interval_ms: z.number().int().positive().default(10_000),
});

export type BudgetConfig = z.infer<typeof budgetSchema>;
export type RateLimitConfig = z.infer<typeof rateLimitSchema>;
export type CustomerConfig = z.infer<typeof customerSchema>;
export type TeamConfig = z.infer<typeof teamSchema>;
export type ProviderConfigConfig = z.infer<typeof providerConfigSchema>;
export type VirtualKeyConfig = z.infer<typeof virtualKeySchema>;
export type GovernanceConfig = z.infer<typeof governanceConfigSchema>;
export type GovernancePluginConfig = z.infer<typeof governancePluginConfigSchema>;

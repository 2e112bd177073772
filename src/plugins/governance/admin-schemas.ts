// Bodies of the /api/governance/* admin routes, Bifrost's shapes: budgets and rate limits are
// nested objects inside a virtual key, team, customer or provider config (the store gives them
// ids), where config.json references them by id instead. Every string and list is bounded
// (input-limits.ts) and durations are range-checked, so a bad body is a 400 naming the field.
import { z } from 'zod';
import { providerConfigFields } from './config-schema.js';
import { idText, LIMITS, list, nameText, text } from './input-limits.js';
import { parseDuration } from './windows/duration.js';

const duration = (allowQuarter: boolean) => z.string().superRefine((value, ctx) => {
  const parsed = parseDuration(value, { allowQuarter });
  if ('error' in parsed) ctx.addIssue({ code: 'custom', message: parsed.error });
});

export const budgetInput = z.object({
  max_limit: z.number().nonnegative(),
  reset_duration: duration(true),
  calendar_aligned: z.boolean().optional(),
});

export const rateLimitInput = z.object({
  token_max_limit: z.number().int().nonnegative().nullish(),
  token_reset_duration: duration(false).nullish(),
  request_max_limit: z.number().int().nonnegative().nullish(),
  request_reset_duration: duration(false).nullish(),
});

const pcInput = z.object({
  ...providerConfigFields,
  budget: budgetInput.nullish(),
  rate_limit: rateLimitInput.nullish(),
});

const vkFields = {
  name: nameText,
  description: text(LIMITS.description).optional(),
  value: text(LIMITS.vkValue).min(8).optional(),
  is_active: z.boolean().optional(),
  team_id: idText.nullish(),
  customer_id: idText.nullish(),
  budget: budgetInput.nullish(),
  budgets: list(budgetInput, LIMITS.budgets).optional(),
  rate_limit: rateLimitInput.nullish(),
  provider_configs: list(pcInput, LIMITS.providerConfigs).optional(),
  allow_all_providers: z.boolean().optional(),
  expires_at: text(LIMITS.timestamp).nullish(),
  calendar_aligned: z.boolean().optional(),
};

export const vkCreate = z.object(vkFields);
export const vkUpdate = z.object({ ...vkFields, name: vkFields.name.optional(), reset_budget_usage: z.boolean().optional() });

export const teamCreate = z.object({
  name: nameText,
  customer_id: idText.nullish(),
  budget: budgetInput.nullish(),
  rate_limit: rateLimitInput.nullish(),
});
export const teamUpdate = teamCreate.partial().extend({ reset_budget_usage: z.boolean().optional() });

export const customerCreate = z.object({
  name: nameText,
  budget: budgetInput.nullish(),
  rate_limit: rateLimitInput.nullish(),
});
export const customerUpdate = customerCreate.partial().extend({ reset_budget_usage: z.boolean().optional() });

export type BudgetInput = z.infer<typeof budgetInput>;
export type RateLimitInput = z.infer<typeof rateLimitInput>;
export type VkCreate = z.infer<typeof vkCreate>;
export type VkUpdate = z.infer<typeof vkUpdate>;
export type PcInput = z.infer<typeof pcInput>;

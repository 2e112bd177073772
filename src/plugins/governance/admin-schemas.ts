// Bodies of the /api/governance/* admin routes, Bifrost's shapes: budgets and rate limits are
// nested objects inside a virtual key, team, customer or provider config (the store gives them
// ids), where config.json references them by id instead.
import { z } from 'zod';
import { providerConfigFields } from './config-schema.js';
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
  name: z.string().min(1),
  description: z.string().optional(),
  value: z.string().min(8).optional(),
  is_active: z.boolean().optional(),
  team_id: z.string().min(1).nullish(),
  customer_id: z.string().min(1).nullish(),
  budget: budgetInput.nullish(),
  budgets: z.array(budgetInput).optional(),
  rate_limit: rateLimitInput.nullish(),
  provider_configs: z.array(pcInput).optional(),
  allow_all_providers: z.boolean().optional(),
  expires_at: z.string().nullish(),
  calendar_aligned: z.boolean().optional(),
};

export const vkCreate = z.object(vkFields);
export const vkUpdate = z.object({ ...vkFields, name: vkFields.name.optional(), reset_budget_usage: z.boolean().optional() });

export const teamCreate = z.object({
  name: z.string().min(1),
  customer_id: z.string().min(1).nullish(),
  budget: budgetInput.nullish(),
  rate_limit: rateLimitInput.nullish(),
});
export const teamUpdate = teamCreate.partial().extend({ reset_budget_usage: z.boolean().optional() });

export const customerCreate = z.object({
  name: z.string().min(1),
  budget: budgetInput.nullish(),
  rate_limit: rateLimitInput.nullish(),
});
export const customerUpdate = customerCreate.partial().extend({ reset_budget_usage: z.boolean().optional() });

export type BudgetInput = z.infer<typeof budgetInput>;
export type RateLimitInput = z.infer<typeof rateLimitInput>;
export type VkCreate = z.infer<typeof vkCreate>;
export type VkUpdate = z.infer<typeof vkUpdate>;
export type PcInput = z.infer<typeof pcInput>;

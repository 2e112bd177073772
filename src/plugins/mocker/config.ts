// The `bifrost-mocker` plugin's config, with Bifrost's JSON keys: rules (conditions on providers,
// models, a message regex and request size), weighted success/error responses, latency (global or
// per rule) and `default_behavior`. Latency values follow Bifrost's JSON, where a duration is a Go
// time.Duration in nanoseconds; duration strings such as "250ms" or "1.5s" are accepted too.
import { z } from 'zod';
import { goDurationMs } from '../../core/index.js';

/** Parses a Go-style duration (number = nanoseconds) into milliseconds. */
export function durationMs(value: number | string): number | undefined {
  return typeof value === 'number' ? value / 1e6 : goDurationMs(value);
}

const duration = z.union([z.number().nonnegative(), z.string()]).transform((value, ctx) => {
  const ms = durationMs(value);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected a duration (nanoseconds, or a string like "250ms"), got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return ms;
});

export const latencySchema = z.object({
  type: z.enum(['fixed', 'uniform']),
  min: duration,
  max: duration.optional(),
}).refine((l) => l.type !== 'uniform' || (l.max !== undefined && l.max >= l.min), {
  message: 'uniform latency needs max >= min', path: ['max'],
});

const usageSchema = z.object({
  prompt_tokens: z.number().int().nonnegative().default(10),
  completion_tokens: z.number().int().nonnegative().default(20),
  total_tokens: z.number().int().nonnegative().optional(),
});

const successSchema = z.object({
  message: z.string().optional(),
  message_template: z.string().optional(),
  model: z.string().optional(),
  usage: usageSchema.optional(),
  finish_reason: z.string().optional(),
  custom_fields: z.record(z.string(), z.unknown()).optional(),
}).refine((s) => (s.message ?? '') !== '' || (s.message_template ?? '') !== '', { message: 'either message or message_template is required' });

const errorSchema = z.object({
  message: z.string().min(1),
  type: z.string().optional(),
  code: z.string().optional(),
  status_code: z.number().int().min(400).max(599).optional(),
});

export const responseSchema = z.object({
  type: z.enum(['success', 'error']),
  weight: z.number().nonnegative().optional(),
  content: successSchema.optional(),
  error: errorSchema.optional(),
  allow_fallbacks: z.boolean().optional(),
}).refine((r) => (r.type === 'success' ? r.content !== undefined : r.error !== undefined), {
  message: 'a success response needs `content`, an error response needs `error`',
});

/** Compiles a Go-flavoured pattern: a leading `(?i)` (common in Bifrost configs) becomes the `i` flag. */
export function compileRegex(source: string): RegExp {
  const match = /^\(\?([imsU]+)\)/.exec(source);
  if (!match) return new RegExp(source);
  const flags = [...new Set((match[1] ?? '').replace('U', '').split(''))].join('');
  return new RegExp(source.slice(match[0].length), flags);
}

function isValidRegex(source: string): boolean {
  try {
    compileRegex(source);
    return true;
  } catch {
    return false;
  }
}

export const ruleSchema = z.object({
  name: z.string().min(1),
  enabled: z.boolean().default(true),
  priority: z.number().int().min(-1000).max(1000).default(0),
  probability: z.number().min(0).max(1).default(1),
  conditions: z.object({
    providers: z.array(z.string()).default([]),
    models: z.array(z.string()).default([]),
    message_regex: z.string().refine(isValidRegex, 'invalid regular expression').optional(),
    request_size: z.object({ min: z.number().int().nonnegative(), max: z.number().int().nonnegative() })
      .refine((s) => s.max >= s.min, 'max must be >= min').optional(),
  }).default({ providers: [], models: [] }),
  responses: z.array(responseSchema).min(1),
  latency: latencySchema.optional(),
});

export const mockerConfigSchema = z.object({
  enabled: z.boolean().default(true),
  default_behavior: z.enum(['passthrough', 'success', 'error']).default('passthrough'),
  global_latency: latencySchema.optional(),
  rules: z.array(ruleSchema).default([]),
});

export type MockerConfig = z.output<typeof mockerConfigSchema>;
export type MockRule = z.output<typeof ruleSchema>;
export type MockResponse = z.output<typeof responseSchema>;
export type MockLatency = z.output<typeof latencySchema>;
export type MockSuccess = NonNullable<MockResponse['content']>;

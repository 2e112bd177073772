// What a request may cost before it runs, and what it did cost after: the admission estimate
// (prompt size from the body + max_tokens) and usage parsed from response bodies and stream chunks
// (OpenAI chat/text `usage`, Responses API `response.usage` with input/output tokens).
import type { JsonObject, Usage } from '../../core/index.js';

const PROMPT_FIELDS = ['messages', 'prompt', 'input', 'instructions', 'system', 'tools'] as const;
const COMPLETION_FIELDS = ['max_completion_tokens', 'max_tokens', 'max_output_tokens'] as const;

interface Tally {
  chars: number;
  parts: number;
}

/** Counts the strings under `value` (to depth 8). A plain function over one tally: no closure per request. */
function tallyStrings(value: unknown, depth: number, tally: Tally): void {
  if (depth > 8) return;
  if (typeof value === 'string') {
    tally.chars += value.length;
    tally.parts += 1;
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) tallyStrings(value[i], depth + 1, tally);
  } else if (value && typeof value === 'object') {
    // Request bodies are parsed JSON: plain objects, whose enumerable keys are all their own.
    const object = value as Record<string, unknown>;
    for (const key in object) tallyStrings(object[key], depth + 1, tally);
  }
}

/** Rough prompt tokens: ~4 characters per token plus a few per message for roles and framing. */
export function estimatePromptTokens(body: JsonObject): number {
  const tally: Tally = { chars: 0, parts: 0 };
  for (const field of PROMPT_FIELDS) {
    const value = body[field];
    if (value !== undefined) tallyStrings(value, 0, tally);
  }
  return Math.ceil(tally.chars / 4) + tally.parts * 4;
}

export function requestedCompletionTokens(body: JsonObject): number | undefined {
  for (const field of COMPLETION_FIELDS) {
    const value = body[field];
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return Math.floor(value);
  }
  return undefined;
}

/** Usage from a usage object in any of the shapes the engine forwards. */
export function parseUsage(raw: unknown): Usage | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const u = raw as Record<string, unknown>;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const prompt = num(u.prompt_tokens) ?? num(u.input_tokens);
  const completion = num(u.completion_tokens) ?? num(u.output_tokens);
  if (prompt === undefined && completion === undefined) return undefined;
  const details = (u.prompt_tokens_details ?? u.input_tokens_details) as Record<string, unknown> | undefined;
  const cached = num(u.cached_prompt_tokens) ?? num(details?.cached_tokens);
  const usage: Usage = {
    prompt_tokens: prompt ?? 0,
    completion_tokens: completion ?? 0,
    total_tokens: num(u.total_tokens) ?? (prompt ?? 0) + (completion ?? 0),
  };
  if (cached !== undefined) usage.cached_prompt_tokens = cached;
  return usage;
}

/** Usage carried by one stream chunk (chat/text final chunk, or Responses `response.completed`). */
export function chunkUsage(chunk: JsonObject): Usage | undefined {
  if (chunk.usage) return parseUsage(chunk.usage);
  const response = chunk.response as JsonObject | undefined;
  return response?.usage ? parseUsage(response.usage) : undefined;
}

/** Characters of generated content in one stream chunk, for billing a stream cut short. */
export function chunkContentChars(chunk: JsonObject): number {
  let chars = 0;
  const choices = chunk.choices;
  if (Array.isArray(choices)) {
    for (const choice of choices as JsonObject[]) {
      const delta = (choice.delta ?? {}) as JsonObject;
      if (typeof delta.content === 'string') chars += delta.content.length;
      if (typeof delta.reasoning_content === 'string') chars += delta.reasoning_content.length;
      if (typeof choice.text === 'string') chars += choice.text.length;
      if (Array.isArray(delta.tool_calls)) chars += JSON.stringify(delta.tool_calls).length;
    }
  }
  if (typeof chunk.delta === 'string') chars += chunk.delta.length;
  return chars;
}

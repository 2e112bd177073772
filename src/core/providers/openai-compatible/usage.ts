// Reads the usage block of an OpenAI-dialect body into the canonical Usage: chat/text/embeddings
// report prompt/completion tokens, the Responses API reports input/output tokens.
import type { JsonObject, Usage } from '../../types.js';

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

export function readUsage(block: unknown): Usage | undefined {
  if (!block || typeof block !== 'object') return undefined;
  const u = block as JsonObject;
  const responses = 'input_tokens' in u;
  const prompt = num(responses ? u.input_tokens : u.prompt_tokens);
  const completion = num(responses ? u.output_tokens : u.completion_tokens);
  const details = (responses ? u.input_tokens_details : u.prompt_tokens_details) as JsonObject | null | undefined;
  const usage: Usage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: num(u.total_tokens) || prompt + completion,
  };
  const cached = details && typeof details === 'object' ? num(details.cached_tokens) : 0;
  if (cached > 0) usage.cached_prompt_tokens = cached;
  return usage;
}

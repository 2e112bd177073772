// The vendors that speak OpenAI's dialect, with their public default base URLs. `base_url` in
// Bifrost's config.json excludes the version prefix (e.g. `https://api.openai.com`), so the prefix
// lives here; a configured base_url that already ends in the prefix is accepted as well.
import type { RequestType } from '../../types.js';

export interface OpenAIVendor {
  name: string;
  /** Default base URL without the version prefix; undefined = `network_config.base_url` required. */
  baseUrl: string | undefined;
  /** Path prefix before `/chat/completions` etc. */
  pathPrefix: string;
  /** Ask for a final usage chunk on chat/text streams (`stream_options.include_usage`). */
  streamUsage: boolean;
  requestTypes: ReadonlySet<RequestType>;
}

const ALL: ReadonlySet<RequestType> = new Set(['chat_completion', 'text_completion', 'embedding', 'responses', 'list_models']);
const CHAT_ONLY: ReadonlySet<RequestType> = new Set(['chat_completion', 'list_models']);
const NO_RESPONSES: ReadonlySet<RequestType> = new Set(['chat_completion', 'text_completion', 'embedding', 'list_models']);

function vendor(name: string, baseUrl: string | undefined, options: Partial<OpenAIVendor> = {}): OpenAIVendor {
  return { name, baseUrl, pathPrefix: '/v1', streamUsage: true, requestTypes: NO_RESPONSES, ...options };
}

/** Frozen table built on demand (no module-level mutable state). */
export function openAIVendors(): ReadonlyMap<string, OpenAIVendor> {
  return new Map([
    ['openai', vendor('openai', 'https://api.openai.com', { requestTypes: ALL })],
    ['groq', vendor('groq', 'https://api.groq.com/openai', { requestTypes: ALL })],
    ['mistral', vendor('mistral', 'https://api.mistral.ai')],
    ['openrouter', vendor('openrouter', 'https://openrouter.ai/api', { requestTypes: ALL })],
    ['deepseek', vendor('deepseek', 'https://api.deepseek.com')],
    ['xai', vendor('xai', 'https://api.x.ai', { requestTypes: ALL })],
    ['cerebras', vendor('cerebras', 'https://api.cerebras.ai')],
    ['together', vendor('together', 'https://api.together.xyz')],
    ['fireworks', vendor('fireworks', 'https://api.fireworks.ai/inference', { requestTypes: ALL })],
    ['perplexity', vendor('perplexity', 'https://api.perplexity.ai', { pathPrefix: '', requestTypes: CHAT_ONLY })],
    ['ollama', vendor('ollama', undefined)],
    ['vllm', vendor('vllm', undefined, { requestTypes: ALL })],
  ]);
}

/** The dialect custom providers declare with `base_provider_type: "openai"`. */
export function customOpenAIVendor(name: string): OpenAIVendor {
  return vendor(name, undefined, { requestTypes: ALL });
}

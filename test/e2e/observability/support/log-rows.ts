// Builders for log rows in the observability tests: a complete finished row with overridable
// fields, and a deterministic generator for large volumes.
import type { LogEntry } from '../../../../src/plugins/logging/types.js';

export function row(over: Partial<LogEntry> & { id: string }): LogEntry {
  return {
    parent_request_id: null, timestamp: Date.UTC(2026, 10, 24, 12), object: 'chat.completion',
    provider: 'openai', model: 'gpt-4o', status: 'success', latency: 100, prompt_tokens: 10,
    completion_tokens: 5, total_tokens: 15, cost: 0.001, stream: false, virtual_key_id: null,
    virtual_key_name: null, selected_key_name: 'k1', fallback_index: 0, input_history: null,
    output_message: null, error_details: null, content_summary: null, ...over,
  };
}

const PROVIDERS = ['openai', 'anthropic', 'mistral', 'groq'];
const MODELS = ['gpt-4o', 'gpt-4o-mini', 'claude-3-5-sonnet', 'mistral-large', 'llama-3-70b'];
const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel'];

/** Row number `i` of a synthetic data set spread over `days` days ending at `endMs`. */
export function syntheticRow(i: number, opts: { endMs: number; days: number }): LogEntry {
  const span = opts.days * 86_400_000;
  const ts = opts.endMs - Math.floor(((i * 7919) % 1_000_003) / 1_000_003 * span);
  const tokens = 10 + ((i * 31) % 2000);
  return row({
    id: `req-${i}`, timestamp: ts,
    provider: PROVIDERS[i % PROVIDERS.length]!, model: MODELS[(i >> 2) % MODELS.length]!,
    status: i % 20 === 0 ? 'error' : 'success', latency: 20 + ((i * 13) % 5000),
    prompt_tokens: tokens - 5, completion_tokens: 5, total_tokens: tokens, cost: tokens * 0.000002,
    stream: i % 3 === 0, content_summary: `${WORDS[i % WORDS.length]} ${WORDS[(i >> 3) % WORDS.length]} message ${i % 1000}`,
  });
}

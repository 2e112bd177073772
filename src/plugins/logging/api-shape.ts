// The JSON shape of one log as Bifrost's API and live stream return it: the row's columns with
// content fields parsed back to JSON, token counts grouped under `token_usage`, ISO timestamps.
import type { LogEntry } from './types.js';

export interface ApiLog {
  id: string;
  parent_request_id: string | null;
  timestamp: string;
  object: string;
  provider: string;
  model: string;
  status: string;
  latency: number | null;
  token_usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null;
  cost: number | null;
  stream: boolean;
  virtual_key_id: string | null;
  virtual_key_name: string | null;
  selected_key_name: string | null;
  fallback_index: number | null;
  input_history: unknown;
  output_message: unknown;
  error_details: unknown;
  created_at: string;
}

export function toApiLog(entry: LogEntry): ApiLog {
  const iso = new Date(entry.timestamp).toISOString();
  return {
    id: entry.id,
    parent_request_id: entry.parent_request_id,
    timestamp: iso,
    object: entry.object,
    provider: entry.provider,
    model: entry.model,
    status: entry.status,
    latency: entry.latency,
    token_usage: entry.total_tokens === null ? null : {
      prompt_tokens: entry.prompt_tokens ?? 0,
      completion_tokens: entry.completion_tokens ?? 0,
      total_tokens: entry.total_tokens,
    },
    cost: entry.cost,
    stream: entry.stream,
    virtual_key_id: entry.virtual_key_id,
    virtual_key_name: entry.virtual_key_name,
    selected_key_name: entry.selected_key_name,
    fallback_index: entry.fallback_index,
    input_history: parse(entry.input_history),
    output_message: parse(entry.output_message),
    error_details: parse(entry.error_details),
    created_at: iso,
  };
}

function parse(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

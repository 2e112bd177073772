// Builds log rows from the engine's lifecycle events: a `processing` row when a request starts
// and the finished row when it ends, with content (input messages, output) only when content
// logging is allowed — not off globally (`client.disable_content_logging`), not off for the
// caller's virtual key, and not turned off by the request's `x-bf-disable-content-logging` header.
import type { InferenceRequest, RequestContext, RequestSummary, RequestType } from '../../core/index.js';
import type { LogEntry } from './types.js';

const OBJECTS: Record<RequestType, string> = {
  chat_completion: 'chat.completion',
  text_completion: 'text.completion',
  embedding: 'embedding',
  responses: 'response',
  list_models: 'list',
};

/** Longest `content_summary` kept; search is over this text. */
const SUMMARY_LIMIT = 8192;

export interface Governance {
  virtual_key_id: string | null;
  virtual_key_name: string | null;
  disable_content_logging: boolean;
  parent_request_id: string | null;
}

/** Facts other plugins left in the request context (governance's virtual key, fallback parent). */
export function governanceOf(ctx: RequestContext): Governance {
  const facts = ctx.values.get('governance');
  const record = facts && typeof facts === 'object' ? facts as Record<string, unknown> : {};
  // The governance plugin stores the admitted virtual key as `vk`; flat fields are accepted too.
  const vk = record.vk && typeof record.vk === 'object' ? record.vk as Record<string, unknown> : {};
  const str = (from: Record<string, unknown>, key: string): string | null =>
    typeof from[key] === 'string' && from[key] !== '' ? from[key] as string : null;
  const parent = ctx.values.get('parent_request_id');
  return {
    virtual_key_id: str(vk, 'id') ?? str(record, 'virtual_key_id'),
    virtual_key_name: str(vk, 'name') ?? str(record, 'virtual_key_name'),
    disable_content_logging: vk.disable_content_logging === true || record.disable_content_logging === true,
    parent_request_id: typeof parent === 'string' ? parent : null,
  };
}

export function contentAllowed(ctx: RequestContext, globallyDisabled: boolean, gov: Governance = governanceOf(ctx)): boolean {
  if (globallyDisabled) return false;
  const header = ctx.headers['x-bf-disable-content-logging'];
  if (header !== undefined && header.trim().toLowerCase() === 'true') return false;
  return !gov.disable_content_logging;
}

export function startEntry(request: InferenceRequest, ctx: RequestContext,
  opts: { now: number; content: boolean; gov?: Governance }): LogEntry {
  const gov = opts.gov ?? governanceOf(ctx);
  const input = opts.content ? inputOf(request) : undefined;
  return {
    id: ctx.requestId,
    parent_request_id: gov.parent_request_id,
    timestamp: opts.now,
    object: OBJECTS[request.requestType] ?? request.requestType,
    provider: request.target.provider,
    model: request.target.model,
    status: 'processing',
    latency: null,
    prompt_tokens: null,
    completion_tokens: null,
    total_tokens: null,
    cost: null,
    stream: request.stream,
    virtual_key_id: gov.virtual_key_id,
    virtual_key_name: gov.virtual_key_name,
    selected_key_name: null,
    fallback_index: null,
    input_history: input === undefined ? null : safeJson(input),
    output_message: null,
    error_details: null,
    content_summary: input === undefined ? null : textOf(input).slice(0, SUMMARY_LIMIT),
  };
}

export function endEntry(summary: RequestSummary, start: LogEntry): LogEntry {
  const { servedBy, usage, error } = summary;
  const content = start.input_history !== null;
  const output = content ? outputOf(summary) : undefined;
  const outputText = output === undefined ? '' : textOf(output);
  return {
    ...start,
    provider: servedBy?.provider ?? start.provider,
    model: servedBy?.model ?? start.model,
    status: summary.status,
    latency: summary.latencyMs,
    prompt_tokens: usage?.prompt_tokens ?? null,
    completion_tokens: usage?.completion_tokens ?? null,
    total_tokens: usage?.total_tokens ?? null,
    cost: summary.cost ?? null,
    selected_key_name: servedBy?.keyName ?? null,
    fallback_index: servedBy?.fallbackIndex ?? null,
    output_message: output === undefined ? null : safeJson(output),
    error_details: error ? safeJson({
      status_code: error.status,
      is_bifrost_error: error.isBifrostError,
      error: { type: error.type, message: error.message, code: error.code, param: error.param },
    }) : null,
    content_summary: content ? `${start.content_summary ?? ''}\n${outputText}`.slice(0, SUMMARY_LIMIT) : null,
  };
}

function inputOf(request: InferenceRequest): unknown {
  const body = request.body;
  return body.messages ?? body.prompt ?? body.input ?? null;
}

function outputOf(summary: RequestSummary): unknown {
  const out = summary.output;
  if (out && typeof out === 'object') {
    const choices = (out as Record<string, unknown>).choices;
    if (Array.isArray(choices) && choices.length > 0) {
      const first = choices[0] as Record<string, unknown>;
      return first.message ?? first.text ?? first;
    }
    const output = (out as Record<string, unknown>).output;
    if (output !== undefined) return output;
  }
  return out ?? null;
}

/** The human text inside messages/outputs: string leaves named content/text, or plain strings. */
export function textOf(value: unknown, depth = 0): string {
  if (depth > 6 || value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((v) => textOf(v, depth + 1)).filter(Boolean).join('\n');
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const parts: string[] = [];
    for (const k of ['content', 'text', 'refusal']) if (k in record) parts.push(textOf(record[k], depth + 1));
    return parts.filter(Boolean).join('\n');
  }
  return '';
}

function safeJson(value: unknown): string | null {
  try {
    return JSON.stringify(value) ?? null;
  } catch {
    return null;
  }
}

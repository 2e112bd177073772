// Builds log rows from the engine's lifecycle events: a `processing` row when a request starts
// and the finished row when it ends, with content (input messages, output) only when content
// logging is allowed — not off globally (`client.disable_content_logging`), not off for the
// caller's virtual key, and not turned off by the request's `x-bf-disable-content-logging` header.
// Content is carried as text where the request and response texts exist (`rawBody`, `outputText`)
// and turned into columns by the store when it writes the row (content.ts); otherwise it is
// derived here.
import type { InferenceRequest, RequestContext, RequestSummary, RequestType } from '../../core/index.js';
import { content } from './content.js';
import type { LogEntry } from './types.js';

const OBJECTS: Record<RequestType, string> = {
  chat_completion: 'chat.completion',
  text_completion: 'text.completion',
  embedding: 'embedding',
  responses: 'response',
  list_models: 'list',
};

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
  const row: LogEntry = {
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
    input_history: null,
    output_message: null,
    error_details: null,
    content_summary: null,
  };
  if (!opts.content) return row;
  // The caller's text is carried as is and its columns derived where the row is written.
  if (typeof request.rawBody === 'string') {
    row.raw = { request: request.rawBody, ended: false };
    return row;
  }
  const input = content.inputPart(request.body);
  row.input_history = input.json;
  row.content_summary = input.text;
  return row;
}

export function endEntry(summary: RequestSummary, start: LogEntry): LogEntry {
  const { servedBy, usage, error } = summary;
  const row: LogEntry = {
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
    error_details: error ? content.safeJson({
      status_code: error.status,
      is_bifrost_error: error.isBifrostError,
      error: { type: error.type, message: error.message, code: error.code, param: error.param },
    }) : null,
  };
  const request = start.raw?.request;
  if (request === undefined && start.input_history === null) return row; // no content for this row
  // A forwarded response's text is carried as is (reading `output` would parse it here); any
  // other output (a stream's text, a plugin's response) is derived now, as it is at hand.
  const response = typeof summary.outputText === 'string' ? summary.outputText : undefined;
  const output = response === undefined ? content.outputPart(summary.output) : undefined;
  if (request === undefined && output !== undefined) {
    // Both sides were derived here: the row is complete.
    row.output_message = output.json;
    row.content_summary = `${start.content_summary ?? ''}\n${output.text}`.slice(0, content.summaryLimit);
    return row;
  }
  row.raw = {
    ended: true,
    ...(request !== undefined ? { request } : { input: { json: start.input_history, text: start.content_summary ?? '' } }),
    ...(response !== undefined ? { response } : { output: output! }),
  };
  row.input_history = null;
  row.content_summary = null;
  return row;
}

/** The row with its content columns derived from the text it carries (itself if it carries none). */
export function resolveContent(entry: LogEntry): LogEntry {
  const { raw } = entry;
  if (raw === undefined) return entry;
  const { raw: _carried, ...rest } = entry;
  return { ...rest, ...content.columns(raw) };
}

/** The human text inside messages/outputs: string leaves named content/text, or plain strings. */
export const textOf: (value: unknown, depth?: number) => string = content.textOf;

// Builds log rows from the engine's lifecycle events: a `processing` row when a request starts
// and the finished row when it ends, with content (input messages, output) only when content
// logging is allowed — not off globally (`client.disable_content_logging`), not off for the
// caller's virtual key, and not turned off by the request's `x-bf-disable-content-logging` header.
// Content is carried as text where the request and response texts exist (`rawBody`, `outputText`,
// a stream's `outputChunks`) and turned into columns by the store when it writes the row
// (content.ts); otherwise it is derived here.
import type { FailedTarget, GatewayError, InferenceRequest, RequestContext, RequestSummary, RequestType } from '../../core/index.js';
import { content, type RawContent } from './content.js';
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
  // The governance plugin stores the admitted virtual key as `vk` (flat fields are accepted too),
  // and the key it resolved — admitted or refused — as `governance.virtual_key` {id, name}.
  const admitted = record.vk && typeof record.vk === 'object' ? record.vk as Record<string, unknown> : undefined;
  const resolved = ctx.values.get('governance.virtual_key');
  const vk = admitted ?? (resolved && typeof resolved === 'object' ? resolved as Record<string, unknown> : {});
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
    error_details: error ? errorDetails(error) : null,
  };
  const request = start.raw?.request;
  if (request === undefined && start.input_history === null) return row; // no content for this row
  // A forwarded response's text and a stream's chunks are carried as they are (reading `output`
  // would parse them here); any other output (a plugin's response) is derived now.
  const response = typeof summary.outputText === 'string' ? summary.outputText : undefined;
  const chunks = response === undefined ? summary.outputChunks : undefined;
  const output = response === undefined && chunks === undefined ? content.outputPart(summary.output) : undefined;
  const raw: RawContent = {
    ended: true,
    ...(request !== undefined ? { request } : { input: { json: start.input_history, text: start.content_summary ?? '' } }),
    ...(response !== undefined ? { response }
      : chunks !== undefined ? { stream: { requestType: summary.requestType, chunks } } : { output: output! }),
  };
  // Both sides were derived here (nothing left to parse): the row is complete now.
  if (request === undefined && output !== undefined) return { ...row, ...content.columns(raw) };
  row.raw = raw;
  row.input_history = null;
  row.content_summary = null;
  return row;
}

/**
 * Bifrost logs every fallback attempt as a row of its own: the request's row (its id) holds the
 * primary's failure, and each fallback tried gets a new id with `parent_request_id` pointing at
 * the request. True when this request needs that split (a fallback was tried after the primary
 * itself failed); otherwise its one row is `endEntry`'s.
 */
export function splitsIntoAttempts(summary: RequestSummary): boolean {
  const failed = summary.failedTargets;
  if (failed.length === 0 || failed[0]!.fallbackIndex !== 0) return false;
  return failed.length > 1 || (summary.servedBy?.fallbackIndex ?? 0) > 0;
}

/** A failed attempt's row: the start row's request and content, that target's error. */
export function failedAttemptEntry(start: LogEntry, failure: FailedTarget, ids: { id: string; parent: string | null }): LogEntry {
  const { error } = failure;
  const row: LogEntry = {
    ...start,
    id: ids.id,
    parent_request_id: ids.parent,
    provider: failure.provider,
    model: failure.model,
    status: 'error',
    latency: failure.latencyMs,
    fallback_index: failure.fallbackIndex,
    error_details: errorDetails(error),
  };
  if (start.raw !== undefined) row.raw = { ...start.raw, ended: true, output: { json: null, text: '' } };
  return row;
}

/** The rows of the fallbacks a split request tried (see `splitsIntoAttempts`), in order. */
export function fallbackEntries(summary: RequestSummary, start: LogEntry, newId: () => string): LogEntry[] {
  const parent = start.id;
  const rows = summary.failedTargets
    .filter((failure) => failure.fallbackIndex > 0)
    .map((failure) => failedAttemptEntry(start, failure, { id: newId(), parent }));
  if (summary.status === 'success' && (summary.servedBy?.fallbackIndex ?? 0) > 0) {
    rows.push({ ...endEntry(summary, start), id: newId(), parent_request_id: parent });
  }
  return rows;
}

function errorDetails(error: GatewayError): string | null {
  return content.safeJson({
    status_code: error.status,
    is_bifrost_error: error.isBifrostError,
    error: { type: error.type, message: error.message, code: error.code, param: error.param },
  });
}

/** The row with its content columns derived from the text it carries (itself if it carries none). */
export function resolveContent(entry: LogEntry): LogEntry {
  const { raw } = entry;
  if (raw === undefined) return entry;
  const { raw: _carried, ...rest } = entry;
  return { ...rest, ...content.columns(raw) };
}


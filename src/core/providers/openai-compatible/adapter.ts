// The shared adapter for every vendor that speaks OpenAI's dialect. Requests are the caller's JSON
// text with `model` set to the bare model and `fallbacks` dropped (the parsed body serialized
// instead when a plugin may have edited it); responses and stream events pass through untouched
// except that the member or event carrying usage is parsed to read it.
import { GatewayError, invalidRequest } from '../../errors.js';
import type { InferenceRequest, JsonObject, RequestType } from '../../types.js';
import type {
  AdapterTarget, MappedEvent, ParsedResponse, ProviderAdapter, StreamMapper, UpstreamErrorInfo, UpstreamRequest,
} from '../adapter.js';
import { rewriteMembers, scanMembers, type MemberScan } from '../json-members.js';
import { readUsage } from './usage.js';
import type { OpenAIVendor } from './vendors.js';

const PATHS: Record<RequestType, string> = {
  chat_completion: '/chat/completions',
  text_completion: '/completions',
  embedding: '/embeddings',
  responses: '/responses',
  list_models: '/models',
};

interface BaseLocation { origin: string; prefix: string }

/** An upstream `extra_fields` member would collide with the engine's: such bodies are re-serialized. */
const RESPONSE_MEMBERS = ['usage', 'extra_fields'] as const;

/** The body is parsed only if something reads it (a class: per-object getters cost ~1 µs). */
class LazyParsed implements ParsedResponse {
  private parsed: JsonObject | undefined;
  readonly json: { text: string; close: number; empty: boolean };

  constructor(private readonly text: string, readonly usage: ParsedResponse['usage'], scan: MemberScan) {
    this.json = { text, close: scan.close, empty: scan.empty };
  }

  get body(): JsonObject {
    return (this.parsed ??= JSON.parse(this.text) as JsonObject);
  }
}

export function createOpenAICompatibleAdapter(vendor: OpenAIVendor): ProviderAdapter {
  // Parsed base URLs per configured base_url string; instance-local, bounded by config size.
  const locations = new Map<string, BaseLocation>();

  const locate = (target: Omit<AdapterTarget, 'model'>): BaseLocation => {
    const raw = target.config.network_config.base_url || vendor.baseUrl;
    if (!raw) throw invalidRequest(`provider ${target.provider} requires network_config.base_url`);
    let loc = locations.get(raw);
    if (!loc) {
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        throw new GatewayError(`provider ${target.provider} has an invalid network_config.base_url`, {
          status: 502, type: 'invalid_provider_config', provider: target.provider,
        });
      }
      let path = url.pathname.replace(/\/+$/, '');
      if (vendor.pathPrefix && !path.endsWith(vendor.pathPrefix)) path += vendor.pathPrefix;
      loc = { origin: url.origin, prefix: path };
      if (locations.size > 256) locations.clear();
      locations.set(raw, loc);
    }
    return loc;
  };

  const headersFor = (target: Omit<AdapterTarget, 'model'>, stream: boolean): Record<string, string> => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (stream) headers.accept = 'text/event-stream';
    if (target.key.value) headers.authorization = `Bearer ${target.key.value}`;
    const extra = target.config.network_config.extra_headers;
    if (extra) for (const name in extra) headers[name.toLowerCase()] = extra[name]!;
    return headers;
  };

  return {
    dialect: 'openai',
    streamFraming: 'sse',
    terminator: (requestType) => (requestType === 'responses' ? 'none' : 'done'),
    supports: (requestType) => vendor.requestTypes.has(requestType),

    buildRequest(request: InferenceRequest, target: AdapterTarget): UpstreamRequest {
      const loc = locate(target);
      const type = request.requestType;
      const source = request.body;
      // `model` bare, `fallbacks` dropped, and a stream asks for its usage.
      let streamOptions: JsonObject | undefined;
      if (request.stream && vendor.streamUsage && (type === 'chat_completion' || type === 'text_completion')) {
        const given = source.stream_options;
        streamOptions = { ...(given && typeof given === 'object' ? given : {}), include_usage: true };
      }
      return {
        method: 'POST', origin: loc.origin, path: loc.prefix + PATHS[type],
        headers: headersFor(target, request.stream), body: upstreamBody(request, target.model, streamOptions),
      };
    },

    parseResponse(_requestType: RequestType, text: string): ParsedResponse {
      // The body is forwarded as sent: only the usage value is parsed (the whole object on demand).
      const scan = scanMembers(text, RESPONSE_MEMBERS);
      if (scan && scan.values.extra_fields === undefined) {
        const span = scan.values.usage;
        const usage = span ? readUsage(JSON.parse(text.slice(span[0], span[1]))) : undefined;
        return new LazyParsed(text, usage, scan);
      }
      const body = JSON.parse(text) as unknown;
      if (!body || typeof body !== 'object' || Array.isArray(body)) throw new TypeError('upstream body is not a JSON object');
      return { body: body as JsonObject, usage: readUsage((body as JsonObject).usage) };
    },

    parseError: parseOpenAIError,

    streamMapper(requestType: RequestType): StreamMapper {
      return { map: (message) => mapOpenAIEvent(message.event, message.data, requestType) };
    },

    listModelsRequest(target) {
      const loc = locate(target);
      return { method: 'GET', origin: loc.origin, path: loc.prefix + PATHS.list_models, headers: headersFor(target, false), body: undefined };
    },

    parseModels(text: string): JsonObject[] {
      const parsed = JSON.parse(text) as { data?: unknown };
      return Array.isArray(parsed.data) ? parsed.data.filter((m): m is JsonObject => !!m && typeof m === 'object') : [];
    },
  };
}

/** Top-level request members the adapter rewrites. */
const REQUEST_MEMBERS = ['model', 'fallbacks', 'stream_options'] as const;

/** The caller's text with those members rewritten when the engine allows it, else `body` serialized. */
function upstreamBody(request: InferenceRequest, model: string, streamOptions: JsonObject | undefined): string {
  const text = request.bodyText;
  const scan = text === undefined ? undefined : scanMembers(text, REQUEST_MEMBERS);
  if (scan && !scan.escapedKey) {
    const changes: Record<string, string | null> = { model: JSON.stringify(model), fallbacks: null };
    if (streamOptions) changes.stream_options = JSON.stringify(streamOptions);
    return rewriteMembers(text!, scan, changes);
  }
  const source = request.body;
  const body: JsonObject = { model };
  for (const name in source) if (name !== 'model' && name !== 'fallbacks') body[name] = source[name];
  if (streamOptions) body.stream_options = streamOptions;
  return JSON.stringify(body);
}

/** One upstream SSE event → the caller's event; parses JSON only when usage or an error is in it. */
function mapOpenAIEvent(event: string | undefined, data: string, requestType: RequestType): MappedEvent[] | 'done' {
  if (data === '[DONE]') return 'done';
  if (event === 'error' || data.startsWith('{"error"')) {
    let parsed: unknown;
    try { parsed = JSON.parse(data); } catch { parsed = undefined; }
    const holder = parsed as { error?: unknown } | undefined;
    return [{ event, data, error: errorInfo(holder?.error ?? parsed, data) }];
  }
  const mapped: MappedEvent = { event, data };
  if (data.includes('"usage":{')) {
    const chunk = JSON.parse(data) as JsonObject;
    const usage = requestType === 'responses' ? readUsage((chunk.response as JsonObject | undefined)?.usage) : readUsage(chunk.usage);
    if (usage) mapped.usage = usage;
    if (usage && Array.isArray(chunk.choices) && chunk.choices.length === 0) mapped.usageOnly = true;
  }
  return [mapped];
}

export function parseOpenAIError(status: number, text: string): UpstreamErrorInfo {
  let parsed: unknown;
  try { parsed = JSON.parse(text); } catch { parsed = undefined; }
  const holder = parsed as { error?: unknown } | undefined;
  const info = errorInfo(holder && typeof holder === 'object' && 'error' in holder ? holder.error : parsed, text);
  if (!info.message) info.message = `upstream returned status ${status}`;
  return info;
}

function errorInfo(value: unknown, raw: string): UpstreamErrorInfo {
  if (typeof value === 'string') return { message: value, type: undefined, code: undefined, param: undefined };
  if (value && typeof value === 'object') {
    const e = value as Record<string, unknown>;
    const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);
    return { message: str(e.message) ?? raw.slice(0, 1000), type: str(e.type), code: str(e.code), param: str(e.param) };
  }
  return { message: raw.slice(0, 1000), type: undefined, code: undefined, param: undefined };
}

// The provider adapter contract: a pure translation between the canonical (OpenAI-shaped) request
// and response and one provider's wire dialect. An adapter never performs I/O and never sees the
// caller's HTTP request; the engine owns connections, keys, retries, timeouts and queues.
//
// Why these seams, for the dialects that come later:
// - `buildRequest` returns origin + path + headers + body, so an adapter controls everything that
//   differs between providers: auth headers (`Authorization: Bearer` for OpenAI-compatible vendors,
//   `x-api-key` + `anthropic-version` for Anthropic, `x-goog-api-key` for Gemini), URL shapes with
//   the model inside the path (Gemini `models/{m}:generateContent`, Bedrock `model/{id}/converse`,
//   Azure deployments with `?api-version=`), and a translated body. OpenAI-compatible adapters
//   serialize the caller's parsed body once with only `model` swapped and `fallbacks` dropped.
// - `sign` is an optional async hook that runs after the body is final: AWS SigV4 must hash the
//   exact bytes sent, and may need to fetch temporary credentials.
// - `streamFraming` names the envelope the upstream streams in (`sse`; Bedrock's binary
//   `aws-event-stream` later); the engine decodes the envelope, and the adapter's per-request
//   `StreamMapper` turns each upstream event into zero or more canonical events. The mapper holds
//   state because some dialects spread one chunk's facts over several events (Anthropic's
//   message_start carries id/model, message_delta carries usage).
// - `parseResponse` / `parseError` turn bodies into the canonical response + usage, or an error
//   message/type/code the engine wraps in a GatewayError with the provider's status.
import type { SseMessage } from '../sse/decoder.js';
import type { ProviderConfig, ProviderKey } from '../runtime-config.js';
import type { InferenceRequest, JsonObject, RequestType, Usage } from '../types.js';

/** Everything an adapter may know about one upstream call. */
export interface AdapterTarget {
  /** Provider name as configured (e.g. `openai`, `my-custom`). */
  provider: string;
  /** Bare model name sent upstream (no `provider/` prefix). */
  model: string;
  key: ProviderKey;
  config: Readonly<ProviderConfig>;
}

export interface UpstreamRequest {
  method: 'GET' | 'POST';
  /** `scheme://host[:port]`; the engine keeps one connection pool per origin. */
  origin: string;
  /** Path and query. */
  path: string;
  headers: Record<string, string>;
  body: string | undefined;
}

export interface ParsedResponse {
  /** OpenAI-shaped body; the engine adds `extra_fields`. */
  body: JsonObject;
  usage: Usage | undefined;
  /**
   * Set when the body is already OpenAI-shaped and may be forwarded as the upstream serialized it:
   * its text and the index of its closing `}` (where the engine splices `extra_fields`); `body`
   * is then parsed only if something reads it.
   */
  json?: { text: string; close: number; empty: boolean };
}

export interface UpstreamErrorInfo {
  message: string;
  type: string | undefined;
  code: string | undefined;
  param: string | undefined;
}

/** One event for the caller, before the engine adds `extra_fields`. */
export interface MappedEvent {
  event: string | undefined;
  /** Serialized JSON object of the `data:` line. */
  data: string;
  /** Set on the event that carries the provider's usage block. */
  usage?: Usage;
  /** The event carries only usage (no choices): the engine drops it unless the caller asked for usage. */
  usageOnly?: boolean;
  /** An error the upstream reported inside the stream. */
  error?: UpstreamErrorInfo;
}

export interface StreamMapper {
  /** Maps one upstream event; `'done'` ends the stream (e.g. `[DONE]`). */
  map(message: SseMessage): MappedEvent[] | 'done';
}

export interface ProviderAdapter {
  /** Dialect name, e.g. `openai`. */
  readonly dialect: string;
  readonly streamFraming: 'sse';
  /** How the caller's stream ends: chat/text `[DONE]`, responses just close. */
  terminator(requestType: RequestType): 'done' | 'none';
  supports(requestType: RequestType): boolean;
  buildRequest(request: InferenceRequest, target: AdapterTarget): UpstreamRequest;
  sign?(request: UpstreamRequest, target: AdapterTarget): Promise<void>;
  parseResponse(requestType: RequestType, text: string): ParsedResponse;
  parseError(status: number, text: string): UpstreamErrorInfo;
  streamMapper(requestType: RequestType): StreamMapper;
  /** GET of the provider's model list (bare ids come back through `parseModels`). */
  listModelsRequest(target: Omit<AdapterTarget, 'model'>): UpstreamRequest;
  parseModels(text: string): JsonObject[];
}

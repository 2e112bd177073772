// Canonical request, response and stream types shared by the engine, the provider adapters, the
// plugins and the transports. The canonical wire shape is OpenAI's (Bifrost's own API is
// OpenAI-shaped): a request body is kept as the caller's parsed JSON and forwarded without a second
// parse; adapters for other dialects (Anthropic, Gemini, Bedrock) translate to and from it.

import type { Cancellation } from './cancellation.js';
import type { GatewayError } from './errors.js';

/** Bifrost's `extra_fields.request_type` values. */
export type RequestType =
  | 'chat_completion'
  | 'text_completion'
  | 'embedding'
  | 'responses'
  | 'list_models';

/** A JSON object as parsed from a request or response body. */
export type JsonObject = Record<string, unknown>;

/** `provider/model`, split at the first `/`. */
export interface ModelRef {
  provider: string;
  model: string;
}

export interface InferenceRequest {
  requestType: RequestType;
  /** Primary target. */
  target: ModelRef;
  /** Tried in order when the primary fails (each with its own retry budget). */
  fallbacks: ModelRef[];
  /** The caller's body as parsed once; `model` and `fallbacks` are rewritten by the adapter. */
  body: JsonObject;
  /**
   * The caller's JSON text as received (before any interceptor rewrote `model`), when the transport
   * had it: observers that store the request (request logs) can hand this one flat string to a
   * worker instead of serializing `body`.
   */
  rawBody?: string;
  /**
   * `rawBody` for as long as `body` still holds what was parsed from it (`model` and `fallbacks`
   * aside: interceptors may rewrite them, and adapters replace them anyway). An adapter that
   * forwards the caller's dialect rewrites this text rather than serializing `body` again: the cost
   * of a long chat history is then one parse, and numbers and escapes reach the upstream as sent.
   * The pipeline drops it before the pre-hook of a plugin that may edit `body` (Plugin.keepsBody).
   */
  bodyText?: string;
  stream: boolean;
}

/** Per-request context: created by the transport, visible to plugins and the engine. */
export interface RequestContext {
  readonly requestId: string;
  /** Set when the caller disconnects or the transport gives up; cancels upstream work. */
  readonly cancellation: Cancellation;
  /** Lower-cased request headers (only what the transport chose to expose). */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** Monotonic start time in ms (Clock.now()). */
  readonly startedAt: number;
  /** Scratch space for plugins (governance decisions, log ids...), keyed by plugin name. */
  readonly values: Map<string, unknown>;
}

/**
 * `RequestContext.values` slot naming the provider key ids this request may use (a string array).
 * Set by access-control plugins (a virtual key's `key_ids`); honoured by key selection.
 */
export const ALLOWED_KEY_IDS = 'core.allowed_key_ids';

/**
 * `RequestContext.values` slot for Bifrost's `cache_debug` facts ({ cache_hit, hit_type, ... }):
 * a caching plugin that answers from its cache records them here as well as in the response's
 * `extra_fields`, so observers (telemetry's `bifrost_cache_hits_total`) learn of the hit without
 * reading, and so parsing, every response body.
 */
export const CACHE_DEBUG = 'core.cache_debug';

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  /** Tokens served from the provider's prompt cache, when reported. */
  cached_prompt_tokens?: number;
}

/** Routing facts about how a request was served: feeds `x-bifrost-*` headers, logs and metrics. */
export interface ServedBy {
  provider: string;
  model: string;
  /** The `provider/model` the caller asked for. */
  requestedModel: string;
  /** 0 = primary, 1.. = index into fallbacks + 1. */
  fallbackIndex: number;
  /** Name of the provider key used. */
  keyName: string;
  /** Attempts made on the final target (1 = no retry). */
  attempts: number;
  /** Time to upstream response headers, ms. */
  upstreamLatencyMs: number;
}

/**
 * A complete (non-streaming) response, OpenAI-shaped, `extra_fields` included. `body` may be an
 * accessor that parses on first read; a spread copy (`{ ...response, usage }`) carries the parsed
 * body. To change a response, set `body` or return a new object with one.
 */
export interface InferenceResponse {
  kind: 'response';
  body: JsonObject;
  /**
   * `body` already serialized, when the engine forwards the upstream's bytes: present only while
   * nobody has read `body` (reading or replacing it clears this), so a transport may write it as is.
   */
  readonly raw?: string;
  usage: Usage | undefined;
  servedBy: ServedBy;
}

/** One SSE event as it goes to the caller: `event:` line (Responses API) and the JSON `data`. */
export interface StreamEvent {
  event?: string;
  /** The serialized JSON payload of the `data:` line. */
  data: string;
  /** Parsed form, for plugins that need to look inside (usage, content). */
  chunk: JsonObject;
  /** Set when this event reports an error that ended the stream (sent as a data event). */
  error?: GatewayError;
}

/** A streaming response: events arrive as the upstream produces them. */
export interface InferenceStream {
  kind: 'stream';
  events: AsyncIterable<StreamEvent>;
  servedBy: ServedBy;
  /** Chat and text streams end with `data: [DONE]`; Responses streams just close. */
  terminator: 'done' | 'none';
}

export type InferenceResult = InferenceResponse | InferenceStream;

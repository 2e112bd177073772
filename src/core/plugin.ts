// The plugin contract, as Bifrost defines it: pre-hooks run in registration order before the
// provider is called and may short-circuit with a response or an error; post-hooks run in reverse
// order, only for plugins whose pre-hook ran, and may turn an error into a response or the reverse.
// Observers (telemetry, logging) do not sit in the request path at all: they receive events after
// the fact through `observe`, and must do their work off the path (no awaiting I/O).
import type { GatewayError } from './errors.js';
import type { InferenceRequest, InferenceResult, RequestContext, ServedBy, Usage } from './types.js';

export type PreHookOutcome =
  | undefined
  | { shortCircuit: InferenceResult }
  | { error: GatewayError };

export interface PostHookInput {
  result?: InferenceResult;
  error?: GatewayError;
}

export interface Plugin {
  readonly name: string;
  /**
   * True when `preHook` never edits `request.body`, so the engine may forward the caller's JSON
   * text as received. A pre-hook without it is taken to edit the body: the body is serialized.
   */
  readonly keepsBody?: boolean;
  preHook?(request: InferenceRequest, ctx: RequestContext): PreHookOutcome | Promise<PreHookOutcome>;
  postHook?(request: InferenceRequest, outcome: PostHookInput, ctx: RequestContext):
    PostHookInput | Promise<PostHookInput>;
  /** Receives lifecycle events off the request path. Must not throw, must not block. */
  observe?(event: GatewayEvent): void;
  /**
   * The event types `observe` wants (all when absent). The engine builds an event only when some
   * observer wants its type: a per-chunk event nobody reads is never allocated.
   */
  readonly observes?: readonly GatewayEvent['type'][];
  close?(): Promise<void>;
}

/** A target the request tried (primary or fallback) whose attempt failed. */
export interface FailedTarget {
  provider: string;
  model: string;
  /** 0 for the primary, n for the n-th fallback. */
  fallbackIndex: number;
  error: GatewayError;
  /** Time spent on this target, retries included, ms. */
  latencyMs: number;
}

/** What happened to one request, delivered to observers once it is over (stream included). */
export interface RequestSummary {
  requestId: string;
  requestType: InferenceRequest['requestType'];
  stream: boolean;
  /** `provider/model` as requested. */
  requestedModel: string;
  servedBy: ServedBy | undefined;
  status: 'success' | 'error';
  error: GatewayError | undefined;
  usage: Usage | undefined;
  /** Cost in USD when a pricing source knew the model (computed on first read). */
  readonly cost: number | undefined;
  /** End-to-end latency inside the gateway, ms. */
  latencyMs: number;
  /** Time to first streamed chunk, ms (streams only). */
  firstTokenMs: number | undefined;
  /** Retries across all attempts (0 = first try succeeded). */
  retries: number;
  /** The targets tried before the outcome that failed, in order (empty when the first one answered). */
  failedTargets: readonly FailedTarget[];
  request: InferenceRequest;
  ctx: RequestContext;
  /**
   * The final response body (non-stream) or the accumulated text (stream), for content logging.
   * Computed on first read: reading a forwarded response's body parses it.
   */
  readonly output: unknown;
  /**
   * A non-streaming response's JSON text as the engine produced it (the upstream's bytes with
   * `extra_fields`), when it was forwarded without being parsed; lets an observer store it, or
   * hand it to a worker, without parsing `output`.
   */
  readonly outputText?: string | undefined;
  /**
   * A stream's chunks as the upstream sent them (each event's JSON text, before `extra_fields`),
   * in order; `output` is the text accumulated from them by `accumulateText`. Lets an observer hand
   * them to a worker instead of parsing every chunk here.
   */
  readonly outputChunks?: readonly string[] | undefined;
}

export type GatewayEvent =
  | { type: 'request.start'; request: InferenceRequest; ctx: RequestContext }
  | { type: 'upstream.attempt'; ctx: RequestContext; provider: string; model: string; keyName: string;
      status: number | 'network_error' | 'timeout'; latencyMs: number; retry: number }
  | { type: 'stream.chunk'; ctx: RequestContext; index: number; sinceStartMs: number; sincePreviousMs: number }
  | { type: 'request.end'; summary: RequestSummary };

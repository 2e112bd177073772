// The one error family of the gateway. Every failure the engine, a plugin or a provider adapter
// reports is a GatewayError with a stable `type` (Bifrost's error.type strings) and the HTTP status
// it maps to. Only the HTTP transport turns it into Bifrost's error JSON; nothing here knows HTTP.

export interface GatewayErrorOptions {
  /** HTTP status the transport answers with. */
  status: number;
  /** Stable machine-readable type, e.g. `invalid_request`, `rate_limited`, `budget_exceeded`. */
  type: string;
  /** Optional finer code (provider's own error code, passed through). */
  code?: string;
  /** The request field at fault, when there is one. */
  param?: string;
  /** false for errors raised by the upstream provider (Bifrost's `is_bifrost_error`). */
  isBifrostError?: boolean;
  /** Whether fallbacks may be tried after this error (plugins can forbid it). */
  allowFallbacks?: boolean;
  /** Whether the retry loop may try this attempt again. */
  retryable?: boolean;
  /** Provider / model the error is about, for `extra_fields`. */
  provider?: string;
  model?: string;
  /** When the caller may try again (the transport sends it as `retry-after`). */
  retryAfterSeconds?: number;
  cause?: unknown;
}

export class GatewayError extends Error {
  readonly status: number;
  readonly type: string;
  readonly code: string | undefined;
  readonly param: string | undefined;
  readonly isBifrostError: boolean;
  readonly allowFallbacks: boolean;
  readonly retryable: boolean;
  readonly retryAfterSeconds: number | undefined;
  provider: string | undefined;
  model: string | undefined;

  constructor(message: string, options: GatewayErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.status = options.status;
    this.type = options.type;
    this.code = options.code;
    this.param = options.param;
    this.isBifrostError = options.isBifrostError ?? true;
    this.allowFallbacks = options.allowFallbacks ?? true;
    this.retryable = options.retryable ?? false;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.provider = options.provider;
    this.model = options.model;
  }
}

/** 400 for a request the caller must fix; never retried, never falls back. */
export function invalidRequest(message: string, param?: string): GatewayError {
  return new GatewayError(message, {
    status: 400, type: 'invalid_request_error', allowFallbacks: false, ...(param ? { param } : {}),
  });
}

export function isGatewayError(value: unknown): value is GatewayError {
  return value instanceof GatewayError;
}

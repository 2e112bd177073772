// The errors the engine itself raises, with Bifrost's types and statuses, plus the conversion of an
// upstream failure into a GatewayError that keeps the provider's status and message.
import { GatewayError, isGatewayError } from '../errors.js';
import type { UpstreamErrorInfo } from '../providers/adapter.js';

interface Where { provider: string; model: string }

export function upstreamError(status: number, info: UpstreamErrorInfo, where: Where, retryable: boolean): GatewayError {
  return new GatewayError(info.message, {
    status, type: info.type ?? 'upstream_error', ...(info.code ? { code: info.code } : {}),
    ...(info.param ? { param: info.param } : {}), isBifrostError: false, retryable, ...where,
  });
}

export function timeoutError(where: Where, timeoutMs: number, cause?: unknown): GatewayError {
  return new GatewayError(`upstream ${where.provider} did not respond within ${timeoutMs / 1000}s`, {
    status: 504, type: 'timeout', retryable: true, ...where, cause,
  });
}

export function networkError(where: Where, message: string, cause?: unknown): GatewayError {
  return new GatewayError(`could not reach upstream ${where.provider}: ${message}`, {
    status: 502, type: 'upstream_connection_error', retryable: true, ...where, cause,
  });
}

export function cancelledError(where?: Partial<Where>): GatewayError {
  return new GatewayError('request cancelled by the caller', {
    status: 499, type: 'request_cancelled', allowFallbacks: false, ...where,
  });
}

export function credentialsExhausted(where: Where, last: GatewayError | undefined): GatewayError {
  const detail = last ? ` (last upstream error ${last.status}: ${last.message})` : '';
  return new GatewayError(`all keys of provider ${where.provider} were rejected by the upstream${detail}`, {
    status: 502, type: 'upstream_credentials_exhausted', ...where, cause: last,
  });
}

export function noKeyError(where: Where): GatewayError {
  return new GatewayError(`no enabled key of provider ${where.provider} is allowed to use model ${where.model}`, {
    status: 400, type: 'invalid_request_error', ...where,
  });
}

export function invalidUpstreamBody(where: Where, cause: unknown): GatewayError {
  return new GatewayError(`upstream ${where.provider} returned a body that is not valid JSON`, {
    status: 502, type: 'upstream_invalid_response', retryable: false, ...where, cause,
  });
}

/** A request that reaches the gateway while it stops, whether at the HTTP door or in the engine. */
export function shuttingDown(): GatewayError {
  return new GatewayError('the gateway is shutting down', { status: 503, type: 'service_unavailable', allowFallbacks: false });
}

/** Anything thrown on the request path, as a GatewayError (unexpected throws become 500s, logged). */
export function asGatewayError(error: unknown): GatewayError {
  if (isGatewayError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new GatewayError(`internal error: ${message}`, { status: 500, type: 'internal_error', cause: error });
}

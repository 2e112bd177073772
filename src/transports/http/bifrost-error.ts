// Maps the gateway's one error family to Bifrost's error JSON — the only place that does (DESIGN
// convention 4). Anything that is not a GatewayError becomes a generic 500 with no stack or
// internals in the body; the detail goes to the log instead.
import { GatewayError, isGatewayError, type RequestType } from '../../core/index.js';

export interface ErrorScope {
  provider?: string | undefined;
  /** The `provider/model` the caller asked for. */
  model?: string | undefined;
  requestType?: RequestType | undefined;
}

export interface BifrostErrorBody {
  is_bifrost_error: boolean;
  status_code: number;
  error: { type: string; code?: string; message: string; param?: string };
  extra_fields: { provider?: string; model_requested?: string; request_type?: string };
}

export function toGatewayError(error: unknown): GatewayError {
  if (isGatewayError(error)) return error;
  return new GatewayError('internal server error', { status: 500, type: 'internal_error', cause: error });
}

export function bifrostErrorBody(error: GatewayError, scope: ErrorScope = {}): BifrostErrorBody {
  const inner: BifrostErrorBody['error'] = { type: error.type, message: error.message };
  if (error.code !== undefined) inner.code = error.code;
  if (error.param !== undefined) inner.param = error.param;
  const extra: BifrostErrorBody['extra_fields'] = {};
  const provider = error.provider ?? scope.provider;
  if (provider !== undefined) extra.provider = provider;
  if (scope.model !== undefined) extra.model_requested = scope.model;
  if (scope.requestType !== undefined) extra.request_type = scope.requestType;
  return { is_bifrost_error: error.isBifrostError, status_code: error.status, error: inner, extra_fields: extra };
}

/** A transport-level failure (bad body, unknown route, ...) as a GatewayError. */
export function httpError(status: number, type: string, message: string, param?: string, retryAfterSeconds?: number): GatewayError {
  return new GatewayError(message, {
    status, type, allowFallbacks: false, ...(param ? { param } : {}), ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
  });
}

// The engine's only HTTP client: one undici Agent per gateway, which keeps a keep-alive Pool per
// upstream origin. No `fetch` on the hot path. Timeouts are undici's own per-request header/body
// timers (no extra timers or signals per request); the caller's AbortSignal cancels the request
// and closes the upstream socket. Failures come back classified as timeout, abort or network error.
import { Agent, errors as undiciErrors, type Dispatcher } from 'undici';
import type { UpstreamRequest } from '../providers/adapter.js';

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Dispatcher.ResponseData['body'];
}

export interface SendOptions {
  signal: AbortSignal;
  /** Time to response headers, and longest silence while reading the body. */
  timeoutMs: number;
}

export type TransportFailureKind = 'timeout' | 'aborted' | 'network_error';

/** A request that never produced an HTTP status. */
export class TransportFailure extends Error {
  constructor(readonly kind: TransportFailureKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransportFailure';
  }
}

export interface UpstreamClient {
  send(request: UpstreamRequest, options: SendOptions): Promise<UpstreamResponse>;
  close(): Promise<void>;
}

export interface UpstreamClientOptions {
  /** Max sockets per origin (undefined = unbounded; the provider queue already bounds load). */
  connectionsPerOrigin?: number;
  keepAliveTimeoutMs?: number;
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

export function classifyTransportError(error: unknown, signal: AbortSignal | undefined): TransportFailure {
  if (error instanceof TransportFailure) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (signal?.aborted || error instanceof undiciErrors.RequestAbortedError) {
    return new TransportFailure('aborted', 'request cancelled by the caller', { cause: error });
  }
  if (typeof code === 'string' && TIMEOUT_CODES.has(code)) return new TransportFailure('timeout', message, { cause: error });
  return new TransportFailure('network_error', message, { cause: error });
}

export function createUpstreamClient(options: UpstreamClientOptions = {}): UpstreamClient {
  const agent = new Agent({
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
    keepAliveMaxTimeout: 600_000,
    pipelining: 1,
    ...(options.connectionsPerOrigin ? { connections: options.connectionsPerOrigin } : {}),
  });
  return {
    async send(request, { signal, timeoutMs }) {
      try {
        const res = await agent.request({
          origin: request.origin,
          path: request.path,
          method: request.method,
          headers: request.headers,
          body: request.body,
          signal,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
        return { status: res.statusCode, headers: res.headers, body: res.body };
      } catch (error) {
        throw classifyTransportError(error, signal);
      }
    },
    close: () => agent.close(),
  };
}

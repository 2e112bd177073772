// The engine's only HTTP client: one undici Agent per gateway, which keeps a keep-alive Pool per
// upstream origin. No `fetch` on the hot path. Timeouts are undici's own per-request header/body
// timers (no extra timers or signals per request); the request's Cancellation cancels the request
// and closes the upstream socket. Failures come back classified as timeout, abort or network error.
import { Agent, errors as undiciErrors, type Dispatcher } from 'undici';
import type { Cancellation } from '../cancellation.js';
import type { UpstreamRequest } from '../providers/adapter.js';

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Dispatcher.ResponseData['body'];
}

export interface SendOptions {
  cancellation: Cancellation;
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

/** A response read to its end and decoded as UTF-8. */
export interface BufferedResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export interface UpstreamClient {
  /** Resolves at the response headers; the body is a stream still to be read. */
  send(request: UpstreamRequest, options: SendOptions): Promise<UpstreamResponse>;
  /**
   * Resolves with the whole body. Uses undici's dispatch API with a handler that only gathers
   * chunks: no Readable per response, which is most of what a small JSON answer costs to receive.
   */
  sendBuffered(request: UpstreamRequest, options: SendOptions): Promise<BufferedResponse>;
  close(): Promise<void>;
}

export interface UpstreamClientOptions {
  /** Max sockets per origin (undefined = unbounded; the provider queue already bounds load). */
  connectionsPerOrigin?: number;
  keepAliveTimeoutMs?: number;
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

export function classifyTransportError(error: unknown, signal: { readonly aborted: boolean } | undefined): TransportFailure {
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
    async send(request, { cancellation, timeoutMs }) {
      try {
        const res = await agent.request({
          origin: request.origin,
          path: request.path,
          method: request.method,
          headers: request.headers,
          body: request.body,
          signal: cancellation.signal,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
        return { status: res.statusCode, headers: res.headers, body: res.body };
      } catch (error) {
        throw classifyTransportError(error, cancellation);
      }
    },
    sendBuffered(request, { cancellation, timeoutMs }) {
      return new Promise<BufferedResponse>((resolve, reject) => {
        if (cancellation.aborted) {
          reject(classifyTransportError(new undiciErrors.RequestAbortedError(), cancellation));
          return;
        }
        agent.dispatch({
          origin: request.origin,
          path: request.path,
          method: request.method,
          headers: request.headers,
          body: request.body ?? null,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        }, new BufferingHandler(cancellation, resolve, reject));
      });
    },
    close: () => agent.close(),
  };
}

type Controller = Parameters<NonNullable<Dispatcher.DispatchHandler['onRequestStart']>>[0];

/** Gathers one response; cancelling the request aborts it (and closes the upstream socket). */
class BufferingHandler implements Dispatcher.DispatchHandler {
  private controller: Controller | undefined;
  private status = 0;
  private headers: Record<string, string | string[] | undefined> = {};
  private chunks: Buffer[] = [];
  private size = 0;
  private settled = false;
  private readonly unsubscribe: () => void;

  constructor(private readonly cancellation: Cancellation, private readonly resolve: (res: BufferedResponse) => void,
    private readonly reject: (error: unknown) => void) {
    this.unsubscribe = cancellation.onAbort(() => this.controller?.abort(new undiciErrors.RequestAbortedError()));
  }

  onRequestStart(controller: Controller): void {
    this.controller = controller;
    if (this.cancellation.aborted) controller.abort(new undiciErrors.RequestAbortedError());
  }

  onResponseStart(_controller: Controller, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    this.status = statusCode;
    this.headers = headers;
  }

  onResponseData(_controller: Controller, chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  onResponseEnd(): void {
    if (this.settled) return;
    this.settled = true;
    this.unsubscribe();
    const { chunks } = this;
    const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, this.size).toString('utf8');
    this.resolve({ status: this.status, headers: this.headers, text });
  }

  onResponseError(_controller: Controller, error: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.unsubscribe();
    this.reject(classifyTransportError(error, this.cancellation));
  }
}

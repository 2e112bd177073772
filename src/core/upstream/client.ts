// The engine's only HTTP client: one undici Agent per gateway, which keeps a keep-alive Pool per
// upstream origin. No `fetch` on the hot path, and no Readable or AbortSignal per request: undici's
// dispatch API hands each response to a handler here, which either gathers the body or passes it on
// chunk by chunk as it arrives (streams). Timeouts are undici's own per-request header/body timers;
// the request's Cancellation cancels the request and closes the upstream socket. Failures come back
// classified as timeout, abort or network error.
import type { Dispatcher } from 'undici';
import type { Cancellation } from '../cancellation.js';
import type { UpstreamRequest } from '../providers/adapter.js';
import { PushedBody, type UpstreamBody } from './pushed-body.js';
import { Agent, undiciErrors } from './undici.js';

export type { BodyReader, UpstreamBody } from './pushed-body.js';

type ResponseHeaders = Record<string, string | string[] | undefined>;

/** A successful response whose body is still arriving. */
export interface StreamedResponse {
  status: number;
  headers: ResponseHeaders;
  body: UpstreamBody;
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
  headers: ResponseHeaders;
  text: string;
}

export interface UpstreamClient {
  /**
   * Resolves at the response headers when the status is below 400, with the body still arriving
   * (read it with `body.read`); an error status's body is gathered first, as `sendBuffered` does.
   */
  sendStreaming(request: UpstreamRequest, options: SendOptions): Promise<StreamedResponse | BufferedResponse>;
  /** Resolves with the whole body. */
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
  const dispatch = (request: UpstreamRequest, { cancellation, timeoutMs }: SendOptions, streaming: boolean) =>
    new Promise<StreamedResponse | BufferedResponse>((resolve, reject) => {
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
      }, new ResponseHandler(cancellation, streaming, resolve, reject));
    });
  return {
    sendStreaming: (request, options) => dispatch(request, options, true),
    sendBuffered: (request, options) => dispatch(request, options, false) as Promise<BufferedResponse>,
    close: () => agent.close(),
  };
}

type Controller = Parameters<NonNullable<Dispatcher.DispatchHandler['onRequestStart']>>[0];

/**
 * One response. Gathers the body, or — for a streaming request that succeeded — resolves at the
 * headers and pushes each chunk into a PushedBody. Cancelling the request aborts it (and closes
 * the upstream socket) at any point.
 */
class ResponseHandler implements Dispatcher.DispatchHandler {
  private controller: Controller | undefined;
  private status = 0;
  private headers: ResponseHeaders = {};
  private chunks: Buffer[] = [];
  private size = 0;
  private pushed: PushedBody | undefined;
  private settled = false;
  private readonly unsubscribe: () => void;

  constructor(private readonly cancellation: Cancellation, private readonly streaming: boolean,
    private readonly resolve: (res: StreamedResponse | BufferedResponse) => void, private readonly reject: (error: unknown) => void) {
    this.unsubscribe = cancellation.onAbort(() => this.controller?.abort(new undiciErrors.RequestAbortedError()));
  }

  onRequestStart(controller: Controller): void {
    this.controller = controller;
    if (this.cancellation.aborted) controller.abort(new undiciErrors.RequestAbortedError());
  }

  onResponseStart(controller: Controller, statusCode: number, headers: ResponseHeaders): void {
    this.status = statusCode;
    this.headers = headers;
    if (this.streaming && statusCode < 400) {
      this.pushed = new PushedBody(controller);
      this.resolve({ status: statusCode, headers, body: this.pushed });
    }
  }

  onResponseData(_controller: Controller, chunk: Buffer): void {
    if (this.pushed) {
      this.pushed.data(chunk);
      return;
    }
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  onResponseEnd(): void {
    if (this.settled) return;
    this.settled = true;
    this.unsubscribe();
    if (this.pushed) {
      this.pushed.end();
      return;
    }
    const { chunks } = this;
    const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, this.size).toString('utf8');
    this.resolve({ status: this.status, headers: this.headers, text });
  }

  onResponseError(_controller: Controller, error: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.unsubscribe();
    const failure = classifyTransportError(error, this.cancellation);
    if (this.pushed) this.pushed.fail(failure);
    else this.reject(failure);
  }
}

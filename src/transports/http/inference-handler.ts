// The inference routes (`POST /v1/chat/completions`, `/v1/completions`, `/v1/embeddings`,
// `/v1/responses`) served straight from node:http, in front of Fastify: every request these routes
// see is the gateway's hot path, and Fastify's per-request machinery (request/reply objects, hook
// chains, router, content-type parsing) cost about a fifth of the gateway's CPU per request. Every
// other route stays on Fastify. What the Fastify routes get from hooks, this path does itself:
// CORS headers, the body size limit, Bifrost's error JSON, exchange records for HTTP metrics, and
// `connection: close` while the replica drains.
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import {
  Cancellation, type Clock, type ConfigSource, type Gateway, type InferenceResult, type JsonObject, type ModelRef,
  type RequestContext, type RequestType, type ServedBy, type StreamEvent,
} from '../../core/index.js';
import { toGatewayError, type ErrorScope } from './bifrost-error.js';
import { corsHeaders } from './cors.js';
import { headerValue } from './door/index.js';
import { endAfterFailure, writeError } from './error-reply.js';
import { reportExchange, type ExchangeObserver } from './exchange.js';
import { parseInferenceRequest } from './inference-request.js';
import { collectBody, endsConnection, parseJsonText } from './json-body.js';
import { requestIdOf } from './request-id.js';
import { writeSse } from './sse.js';

type InferenceType = Exclude<RequestType, 'list_models'>;

const INFERENCE_ROUTES: ReadonlyArray<readonly [string, InferenceType]> = [
  ['/v1/chat/completions', 'chat_completion'],
  ['/v1/completions', 'text_completion'],
  ['/v1/embeddings', 'embedding'],
  ['/v1/responses', 'responses'],
];

/**
 * Rewrites a parsed inference body before it becomes a request (governance resolves a bare
 * `model` through the caller's virtual key). Runs on the request path: keep it cheap.
 */
export type InferenceBodyInterceptor = (body: JsonObject, headers: Readonly<Record<string, string | undefined>>) => void;

export interface InferenceHandlerDeps {
  gateway: Gateway;
  config: ConfigSource;
  clock: Clock;
  observers: readonly ExchangeObserver[];
  onObserverError?: (error: unknown) => void;
  interceptors: readonly InferenceBodyInterceptor[];
  /** How long a request body may send nothing before it is answered 408. */
  bodyIdleTimeoutMs: number;
  /** True while responses should close their connection (closing, or draining). */
  closesConnections: () => boolean;
  /** Called for errors that are not the caller's fault (5xx), for the log. */
  onInternalError: (error: unknown, requestId: string) => void;
}

/**
 * Bifrost's routed-identity headers: the legacy set (provider, original/resolved model, request
 * type, fallback index only when a fallback served, cumulative upstream latency) and the newer
 * `x-bifrost-routing-info-*` set. Booleans and the fallback index are absent when false/zero.
 */
function routingHeaders(headers: Record<string, string>, servedBy: ServedBy, requestType: RequestType, primary: ModelRef): Record<string, string> {
  headers['x-bifrost-request-type'] = requestType;
  const provider = headerValue(servedBy.provider);
  const model = headerValue(servedBy.model);
  headers['x-bifrost-provider'] = provider;
  headers['x-bifrost-original-model'] = headerValue(primary.model);
  headers['x-bifrost-resolved-model'] = model;
  headers['x-bifrost-upstream-latency-ms'] = servedBy.upstreamLatencyMs.toFixed(3);
  headers['x-bifrost-routing-info-provider'] = provider;
  headers['x-bifrost-routing-info-model'] = model;
  if (servedBy.keyName) headers['x-bifrost-routing-info-key'] = headerValue(servedBy.keyName);
  if (servedBy.fallbackIndex > 0) {
    headers['x-bifrost-fallback-index'] = String(servedBy.fallbackIndex);
    headers['x-bifrost-routing-info-is-fallback'] = 'true';
    headers['x-bifrost-routing-info-primary-provider'] = headerValue(primary.provider);
    headers['x-bifrost-routing-info-primary-model'] = headerValue(primary.model);
  }
  return headers;
}

/**
 * node:http parses repeated headers into one comma-joined string except set-cookie (an array):
 * without it the parsed headers already have the engine's shape and are shared, not copied.
 */
export function exposedHeaders(given: IncomingHttpHeaders): Record<string, string | undefined> {
  if (given['set-cookie'] === undefined) return given as Record<string, string | undefined>;
  const out: Record<string, string | undefined> = {};
  for (const name in given) {
    const value = given[name];
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/**
 * Returns a request listener that serves the inference routes and declines (false) the rest;
 * `path` is the door's normalized path.
 */
export function createInferenceHandler(deps: InferenceHandlerDeps): (req: IncomingMessage, res: ServerResponse, path: string) => boolean {
  const routes = new Map<string, InferenceType>(INFERENCE_ROUTES);
  return (req, res, path) => {
    if (req.method !== 'POST') return false;
    const requestType = routes.get(path);
    if (requestType === undefined) return false;
    serve(deps, req, res, path, requestType);
    return true;
  };
}

function serve(deps: InferenceHandlerDeps, req: IncomingMessage, res: ServerResponse, path: string, requestType: InferenceType): void {
  const startedAt = deps.clock.monotonic();
  const requestId = requestIdOf(req.headers);
  const cancellation = new Cancellation();
  // One listener does both jobs: a caller gone before the answer finished cancels upstream work;
  // observers get the exchange once the response is over either way.
  res.once('close', () => {
    if (!res.writableFinished) cancellation.abort(new Error('client disconnected'));
    if (deps.observers.length > 0) {
      reportExchange(deps.observers, req, res, { path, durationSeconds: (deps.clock.monotonic() - startedAt) / 1000 }, deps.onObserverError);
    }
  });
  // Headers every answer carries, success or error.
  let headers: Record<string, string> = { 'x-bifrost-request-id': requestId };
  const origin = req.headers.origin;
  if (origin !== undefined) {
    const cors = corsHeaders(origin, deps.config.current().client.allowed_origins);
    if (cors) headers = { ...headers, ...cors };
  }
  const scope: ErrorScope = { requestType };
  collectBody(req, { maxMb: deps.config.current().client.max_request_body_size_mb, idleTimeoutMs: deps.bodyIdleTimeoutMs }, (err, body) => {
    if (err) {
      // The rest of an oversize or stalled body is not worth reading: answer and close the connection.
      if (endsConnection(toGatewayError(err).status)) headers.connection = 'close';
      writeError(res, err, scope, headers);
      return;
    }
    const ctx: RequestContext = { requestId, cancellation, headers: exposedHeaders(req.headers), startedAt, values: new Map() };
    handle(deps, ctx, body!, res, { headers, scope, requestType }).catch((error: unknown) => {
      deps.onInternalError(error, requestId);
      endAfterFailure(res, error);
    });
  });
}

async function handle(deps: InferenceHandlerDeps, ctx: RequestContext, raw: Buffer, res: ServerResponse,
  opts: { headers: Record<string, string>; scope: ErrorScope; requestType: InferenceType }): Promise<void> {
  const { headers, scope } = opts;
  let primary: ModelRef;
  let result: InferenceResult;
  try {
    const text = raw.toString('utf8');
    const body = parseJsonText(text) as JsonObject;
    if (typeof body?.model === 'string') scope.model = body.model;
    if (deps.interceptors.length > 0 && body && typeof body === 'object' && !Array.isArray(body)) {
      for (const intercept of deps.interceptors) intercept(body, ctx.headers);
    }
    const inference = parseInferenceRequest(body, opts.requestType);
    inference.rawBody = text;
    inference.bodyText = text;
    primary = inference.target;
    scope.provider = primary.provider;
    scope.model = primary.model; // bare, as success responses and Bifrost report it
    result = await deps.gateway.handle(inference, ctx);
  } catch (error) {
    if (res.headersSent) return;
    if (toGatewayError(error).status >= 500) deps.onInternalError(error, ctx.requestId);
    if (deps.closesConnections()) headers.connection = 'close';
    writeError(res, error, scope, headers);
    return;
  }
  routingHeaders(headers, result.servedBy, opts.requestType, primary);
  if (result.kind === 'response') {
    // `raw`: the upstream's bytes with extra_fields spliced in, unless a plugin touched the body.
    const payload = result.raw ?? JSON.stringify(result.body);
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
    if (deps.closesConnections()) headers.connection = 'close';
    res.writeHead(200, headers).end(payload);
    return;
  }
  const iterator = result.events[Symbol.asyncIterator]();
  // Pull the first event before committing to a 200: an error here is still a plain JSON error.
  let first: IteratorResult<StreamEvent>;
  try {
    first = await iterator.next();
  } catch (error) {
    if (!res.headersSent) writeError(res, error, scope, headers);
    return;
  }
  if (deps.closesConnections()) headers.connection = 'close';
  await writeSse(res, result, { headers, scope, first, iterator, cancellation: ctx.cancellation });
}

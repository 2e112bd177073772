// Builds the HTTP server: one node:http server whose inference routes (`POST /v1/chat/completions`
// and friends) are served by the fast path in inference-handler.ts, and whose every other request
// goes to Fastify: JSON body handling, CORS, /health, GET /v1/models, Bifrost's error JSON for
// every failure (404s included), and plug-in points for other modules.
//
// Plug-in points (for admin, logs, governance, telemetry, cluster...):
// - `routes`: functions called with the root Fastify instance before the built-in routes are
//   added. They may add routes and hooks; Fastify hooks do not see the inference routes. If a
//   module uses `app.register`, mark it with Symbol.for('skip-override') so its hooks see every
//   route.
// - `exchangeObservers`: told about every finished exchange, inference routes and Fastify routes
//   alike (route template, status, duration, sizes, headers): HTTP metrics are done this way.
// - `inferenceInterceptors`: may rewrite a parsed inference body before it becomes a request.
// - `healthChecks`: `{name, check(), database?}`; GET /health answers 503 naming each failing
//   component (database pings are skipped under `client.disable_db_pings_in_health`).
import { createServer } from 'node:http';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { isGatewayError, shuttingDown, systemClock, type Clock, type ConfigSource, type Gateway, type Logger } from '../../core/index.js';
import { httpError } from './bifrost-error.js';
import { registerCors } from './cors.js';
import { sendError } from './error-reply.js';
import { reportExchange, UNMATCHED_PATH, type ExchangeObserver } from './exchange.js';
import { registerHealth, type HealthCheck } from './health.js';
import { createInferenceHandler, type InferenceBodyInterceptor } from './inference-handler.js';
import { registerJsonBody } from './json-body.js';
import { registerModelsRoute } from './models-route.js';
import { requestIdOf } from './request-id.js';

export type RouteModule = (app: FastifyInstance) => void | Promise<void>;

export interface HttpServerOptions {
  gateway: Gateway;
  config: ConfigSource;
  logger?: Logger;
  clock?: Clock;
  routes?: readonly RouteModule[];
  exchangeObservers?: readonly ExchangeObserver[];
  inferenceInterceptors?: readonly InferenceBodyInterceptor[];
  healthChecks?: readonly HealthCheck[];
}

const KEEP_ALIVE_TIMEOUT_MS = 72_000;

/** Fastify's own errors (bad media type, bad headers...) carry a 4xx statusCode worth keeping. */
function fastifyStatus(error: unknown): number | undefined {
  const status = (error as Partial<FastifyError>).statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

export async function buildHttpServer(options: HttpServerOptions): Promise<FastifyInstance> {
  const logger = options.logger;
  const clock = options.clock ?? systemClock;
  const observers = options.exchangeObservers ?? [];
  let closing = false;
  const onObserverError = (error: unknown): void => logger?.warn({ err: error }, 'HTTP exchange observer threw');
  const inference = createInferenceHandler({
    gateway: options.gateway,
    config: options.config,
    clock,
    observers,
    onObserverError,
    interceptors: options.inferenceInterceptors ?? [],
    closing: () => closing,
    onInternalError: (error, requestId) => logger?.error({ err: error, requestId }, 'inference request failed'),
  });
  const app = Fastify({
    // Logging on the hot path costs throughput; the gateway logs what matters itself.
    logger: false,
    // The JSON parser enforces client.max_request_body_size_mb per request; this is only a backstop.
    bodyLimit: 1024 * 1024 * 1024,
    // Closing is answered below with Bifrost's error JSON rather than Fastify's own body.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    requestIdHeader: false,
    serverFactory: (fastifyHandler) => {
      const server = createServer((req, res) => {
        if (!inference(req, res)) fastifyHandler(req, res);
      });
      // Longer than the usual 60 s idle timeout of load balancers in front, so they close first
      // (Fastify's own default, which a server built here would not get otherwise).
      server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
      return server;
    },
  });
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onRequest', async (_request, reply) => {
    if (!closing) return undefined;
    reply.header('connection', 'close');
    return sendError(reply, shuttingDown(), {});
  });

  registerJsonBody(app, options.config);
  registerCors(app, options.config);
  if (observers.length > 0) {
    app.addHook('onResponse', (request, reply, done) => {
      reportExchange(observers, request.raw, reply.raw,
        { path: request.routeOptions.url ?? UNMATCHED_PATH, durationSeconds: reply.elapsedTime / 1000 }, onObserverError);
      done();
    });
  }

  app.setErrorHandler((error, request, reply) => {
    // Errors raised before a handler ran (body too large, bad JSON) still carry a request id.
    if (!reply.raw.hasHeader('x-bifrost-request-id')) reply.raw.setHeader('x-bifrost-request-id', requestIdOf(request.headers));
    // Inference routes never reach Fastify (inference-handler.ts answers their errors itself).
    const scope = {};
    if (isGatewayError(error)) return sendError(reply, error, scope);
    const status = fastifyStatus(error);
    if (status !== undefined) return sendError(reply, httpError(status, 'invalid_request_error', (error as Error).message), scope);
    logger?.error({ err: error, url: request.url }, 'unhandled error in HTTP handler');
    return sendError(reply, error, scope);
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? request.url;
    return sendError(reply, httpError(404, 'not_found', `Route not found: ${path}`), {});
  });

  for (const module of options.routes ?? []) await module(app);

  registerHealth(app, options.healthChecks ?? [], options.config);
  registerModelsRoute(app, { gateway: options.gateway, clock });
  return app;
}

// Builds the Fastify HTTP server: JSON body handling, CORS, /health, the `/v1/*` inference routes,
// Bifrost's error JSON for every failure (404s included), and plug-in points for other modules.
//
// Plug-in points (for admin, logs, governance, telemetry, cluster...):
// - `routes`: functions called with the root Fastify instance before the built-in routes are
//   added. They may add routes and global hooks (`onRequest`, `onResponse`, ...). HTTP-level
//   metrics are done this way: add an `onResponse` hook and read `request.routeOptions.url`,
//   `reply.statusCode`, `reply.elapsedTime`; it also fires for streamed (hijacked) replies once the
//   stream ends. If a module uses `app.register`, mark it with Symbol.for('skip-override') so its
//   hooks see every route.
// - `healthChecks`: `{name, check(), database?}`; GET /health answers 503 naming each failing
//   component (database pings are skipped under `client.disable_db_pings_in_health`).
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { isGatewayError, systemClock, type Clock, type ConfigSource, type Gateway, type Logger } from '../../core/index.js';
import { httpError } from './bifrost-error.js';
import { registerCors } from './cors.js';
import { registerHealth, type HealthCheck } from './health.js';
import { INFERENCE_ROUTES, registerInferenceRoutes, requestIdOf, sendError } from './inference-routes.js';
import { registerJsonBody } from './json-body.js';

export type RouteModule = (app: FastifyInstance) => void | Promise<void>;

export interface HttpServerOptions {
  gateway: Gateway;
  config: ConfigSource;
  logger?: Logger;
  clock?: Clock;
  routes?: readonly RouteModule[];
  healthChecks?: readonly HealthCheck[];
}

const REQUEST_TYPE_BY_URL = new Map<string, string>(INFERENCE_ROUTES.map(([url, type]) => [url, type]));

/** Fastify's own errors (bad media type, bad headers...) carry a 4xx statusCode worth keeping. */
function fastifyStatus(error: unknown): number | undefined {
  const status = (error as Partial<FastifyError>).statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

export async function buildHttpServer(options: HttpServerOptions): Promise<FastifyInstance> {
  const logger = options.logger;
  const app = Fastify({
    // Logging on the hot path costs throughput; the gateway logs what matters itself.
    logger: false,
    // The JSON parser enforces client.max_request_body_size_mb per request; this is only a backstop.
    bodyLimit: 1024 * 1024 * 1024,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    requestIdHeader: false,
  });

  registerJsonBody(app, options.config);
  registerCors(app, options.config);

  app.setErrorHandler((error, request, reply) => {
    // Errors raised before a handler ran (body too large, bad JSON) still carry a request id.
    if (!reply.raw.hasHeader('x-bifrost-request-id')) reply.raw.setHeader('x-bifrost-request-id', requestIdOf(request));
    const scope = { requestType: REQUEST_TYPE_BY_URL.get(request.routeOptions.url ?? '') as never };
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
  registerInferenceRoutes(app, {
    gateway: options.gateway,
    clock: options.clock ?? systemClock,
    onInternalError: (error, requestId) => logger?.error({ err: error, requestId }, 'inference request failed'),
  });
  return app;
}

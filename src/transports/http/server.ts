// Builds the HTTP server: one node:http server with one door. Every request's target is decoded
// and normalized there once (door/request-target.ts), and everything after judges that one form:
// the inference routes (`POST /v1/chat/completions` and friends) served by the fast path in
// inference-handler.ts, every other route on Fastify (JSON body handling, CORS, /health,
// GET /v1/models, Bifrost's error JSON for every failure, 404s included), access guards (admin
// auth) and upgrades (door/upgrades.ts). An exception that escapes a handler ends that one
// response, never the process.
//
// Plug-in points (for admin, logs, governance, telemetry, cluster...):
// - `routes`: functions called with the root Fastify instance before the built-in routes are
//   added. They may add routes and hooks; Fastify hooks do not see the inference routes. If a
//   module uses `app.register`, mark it with Symbol.for('skip-override') so its hooks see every
//   route.
// - `exchangeObservers`: told about every finished exchange, inference routes and Fastify routes
//   alike (route template, status, duration, sizes, headers): HTTP metrics are done this way.
// - `inferenceInterceptors`: may rewrite a parsed inference body before it becomes a request.
// - `addAccessGuard(app, guard)`: a check every Fastify route and every upgrade passes, judged on
//   the normalized path (admin auth).
// - `addUpgradeRoute(app, path, handler)`: serves `Upgrade:` requests for one path (GET /ws).
// - `healthChecks`: `{name, check(), database?}`; GET /health answers 503 naming each failing
//   component (database pings are skipped under `client.disable_db_pings_in_health`).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { isGatewayError, systemClock, type Clock, type ConfigSource, type Gateway, type Logger } from '../../core/index.js';
import { httpError, toGatewayError } from './bifrost-error.js';
import { registerCors } from './cors.js';
import { attachUpgradeDoor, isTargetProblem, normalizeTarget, type AccessGuard, type UpgradeHandler } from './door/index.js';
import { endAfterFailure, sendError, writeError } from './error-reply.js';
import { reportExchange, UNMATCHED_PATH, type ExchangeObserver } from './exchange.js';
import { registerHealth, type HealthCheck } from './health.js';
import { createInferenceHandler, type InferenceBodyInterceptor } from './inference-handler.js';
import { BODY_IDLE_TIMEOUT_MS, endsConnection, registerJsonBody } from './json-body.js';
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
  /** How long a request body may send nothing before it is answered 408 (default 30 s). */
  bodyIdleTimeoutMs?: number;
  /** Set while the replica drains: readiness fails and every response closes its connection. */
  drain?: DrainState;
}

export interface DrainState {
  readonly draining: boolean;
}

const KEEP_ALIVE_TIMEOUT_MS = 72_000;

/** What route modules add to the door through `addAccessGuard` and `addUpgradeRoute`. */
interface DoorRegistry {
  guards: AccessGuard[];
  upgrades: Map<string, UpgradeHandler>;
}
const registries = new WeakMap<FastifyInstance, DoorRegistry>();
/** The normalized path of a request, set by the door before anything else sees it. */
const normalizedPaths = new WeakMap<IncomingMessage, string>();

function registryOf(app: FastifyInstance): DoorRegistry {
  const registry = registries.get(app);
  if (!registry) throw new Error('not an app built by buildHttpServer');
  return registry;
}

/** Adds a check (admin auth...) that every non-inference route and every upgrade passes first. */
export function addAccessGuard(app: FastifyInstance, guard: AccessGuard): void {
  registryOf(app).guards.push(guard);
}

/** Serves `Upgrade:` requests for `path` (normalized), after the access guards. */
export function addUpgradeRoute(app: FastifyInstance, path: string, handler: UpgradeHandler): void {
  registryOf(app).upgrades.set(path, handler);
}

/** Fastify's own errors (bad media type, bad headers...) carry a 4xx statusCode worth keeping. */
function fastifyStatus(error: unknown): number | undefined {
  const status = (error as Partial<FastifyError>).statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

export async function buildHttpServer(options: HttpServerOptions): Promise<FastifyInstance> {
  const logger = options.logger;
  const clock = options.clock ?? systemClock;
  const observers = options.exchangeObservers ?? [];
  const bodyIdleTimeoutMs = options.bodyIdleTimeoutMs ?? BODY_IDLE_TIMEOUT_MS;
  const drain: DrainState = options.drain ?? { draining: false };
  let closing = false;
  const onObserverError = (error: unknown): void => logger?.warn({ err: error }, 'HTTP exchange observer threw');
  const inference = createInferenceHandler({
    gateway: options.gateway,
    config: options.config,
    clock,
    observers,
    onObserverError,
    interceptors: options.inferenceInterceptors ?? [],
    bodyIdleTimeoutMs,
    closesConnections: () => closing || drain.draining,
    onInternalError: (error, requestId) => logger?.error({ err: error, requestId }, 'inference request failed'),
  });
  const registry: DoorRegistry = { guards: [], upgrades: new Map() };
  const onUnexpected = (error: unknown): void => logger?.error({ err: error }, 'unexpected error in the HTTP door');
  const app = Fastify({
    // Logging on the hot path costs throughput; the gateway logs what matters itself.
    logger: false,
    // The JSON parser enforces client.max_request_body_size_mb per request; this is only a backstop.
    bodyLimit: 1024 * 1024 * 1024,
    // While closing, requests on connections still open are served (see preClose below).
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    requestIdHeader: false,
    serverFactory: (fastifyHandler) => {
      const server = createServer((req, res) => {
        try {
          const target = normalizeTarget(req.url ?? '');
          if (isTargetProblem(target)) {
            answerBadTarget(req, res, target.problem);
            return;
          }
          req.url = target.url;
          if (inference(req, res, target.path)) return;
          normalizedPaths.set(req, target.path);
          fastifyHandler(req, res);
        } catch (error) {
          onUnexpected(error);
          endAfterFailure(res, error);
        }
      });
      attachUpgradeDoor(server, { routes: registry.upgrades, guards: registry.guards, onError: onUnexpected });
      // Longer than the usual 60 s idle timeout of load balancers in front, so they close first
      // (Fastify's own default, which a server built here would not get otherwise).
      server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
      return server;
    },
  });
  registries.set(app, registry);
  // Once closing, the listener no longer accepts; a request already on an open connection is
  // still served (the engine is open until every connection is done) and closes its connection.
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });

  registerJsonBody(app, options.config, bodyIdleTimeoutMs);
  // While draining or closing, each keep-alive connection is closed after its next response, so
  // clients (and load balancers) reconnect to a replica that stays.
  app.addHook('onSend', async (_request, reply) => {
    if (closing || drain.draining) reply.header('connection', 'close');
  });
  registerCors(app, options.config);
  // After CORS, so a 401 still carries the CORS headers a browser needs to read it.
  app.addHook('onRequest', async (request) => {
    if (registry.guards.length === 0) return;
    const path = normalizedPaths.get(request.raw) ?? request.url;
    for (const guard of registry.guards) await guard(path, request.raw);
  });
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
    if (endsConnection(toGatewayError(error).status) || endsConnection(fastifyStatus(error) ?? 0)) reply.header('connection', 'close');
    if (isGatewayError(error)) return sendError(reply, error, scope);
    const status = fastifyStatus(error);
    if (status !== undefined) return sendError(reply, httpError(status, 'invalid_request_error', (error as Error).message), scope);
    logger?.error({ err: error, url: request.url }, 'unhandled error in HTTP handler');
    return sendError(reply, error, scope);
  });

  app.setNotFoundHandler((request, reply) => {
    const path = normalizedPaths.get(request.raw) ?? request.url.split('?')[0];
    return sendError(reply, httpError(404, 'not_found', `Route not found: ${path}`), {});
  });

  for (const module of options.routes ?? []) await module(app);

  registerHealth(app, options.healthChecks ?? [], options.config, drain);
  registerModelsRoute(app, { gateway: options.gateway, clock });
  return app;
}

function answerBadTarget(req: IncomingMessage, res: ServerResponse, problem: string): void {
  // The rest of what this client sends cannot be trusted to frame correctly: close after answering.
  writeError(res, httpError(400, 'invalid_request_error', problem), {}, { 'x-bifrost-request-id': requestIdOf(req.headers), connection: 'close' });
}


// The telemetry plugin's HTTP side, as a route module for the Fastify server: a global
// `onResponse` hook feeding the `http_*` metrics (route template as `path`, so cardinality stays
// bounded) and `GET /metrics` serving the plugin's registry. The hook only does counter arithmetic
// after the response is already sent.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TelemetryPlugin } from './plugin.js';

/** Requests that matched no route share one `path` value instead of their raw URL. */
export const UNMATCHED_PATH = 'unmatched';

export type RouteModule = (app: FastifyInstance) => void;

export function telemetryRoutes(plugin: TelemetryPlugin): RouteModule {
  const module = (app: FastifyInstance): void => {
    app.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
      plugin.recordHttp({
        method: request.method,
        path: request.routeOptions.url ?? UNMATCHED_PATH,
        status: reply.statusCode,
        durationSeconds: reply.elapsedTime / 1000,
        requestBytes: byteCount(request.headers['content-length']),
        responseBytes: byteCount(reply.raw.getHeader('content-length')),
        headers: request.headers,
      });
      done();
    });
    app.get('/metrics', async (_request, reply) => {
      const { contentType, body } = await plugin.exposition();
      return reply.header('content-type', contentType).send(body);
    });
  };
  // Registered through app.register, the hook must still see every route: opt out of Fastify's
  // encapsulation the way fastify-plugin does.
  Object.defineProperty(module, Symbol.for('skip-override'), { value: true });
  return module;
}

function byteCount(value: string | number | string[] | undefined): number | undefined {
  if (value === undefined) return undefined;
  const raw = Array.isArray(value) ? value[0] : value;
  const n = typeof raw === 'number' ? raw : Number(raw);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

// CORS per `client.allowed_origins`: `*` allows any origin, localhost origins are always allowed
// (Bifrost v1.3), others must be listed. Headers go on the raw response so they survive routes
// that hijack the reply for streaming and the inference fast path. Preflights are answered here.
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { ConfigSource } from '../../core/index.js';
import { headerValue } from './door/index.js';

const LOCALHOST = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/i;

export function isOriginAllowed(origin: string, allowed: readonly string[]): boolean {
  if (LOCALHOST.test(origin)) return true;
  return allowed.some((entry) => entry === '*' || entry.toLowerCase() === origin.toLowerCase());
}

/** The CORS response headers for an allowed `origin` (none for a refused one). */
export function corsHeaders(origin: string, allowed: readonly string[], preflight?: IncomingHttpHeaders): Record<string, string> | undefined {
  if (!isOriginAllowed(origin, allowed)) return undefined;
  const headers: Record<string, string> = {
    'access-control-allow-origin': headerValue(origin),
    vary: 'Origin',
    'access-control-allow-credentials': 'true',
  };
  if (preflight) {
    headers['access-control-allow-methods'] = 'GET, POST, PUT, PATCH, DELETE, OPTIONS';
    headers['access-control-allow-headers'] = headerValue(preflight['access-control-request-headers'] ?? '*');
    headers['access-control-max-age'] = '86400';
  }
  return headers;
}

function setAll(res: ServerResponse, headers: Record<string, string>): void {
  for (const name in headers) res.setHeader(name, headers[name]!);
}

export function registerCors(app: FastifyInstance, config: ConfigSource): void {
  app.addHook('onRequest', (request, reply, done) => {
    const origin = request.headers.origin;
    if (origin === undefined) {
      done();
      return;
    }
    const preflight = request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined;
    const headers = corsHeaders(origin, config.current().client.allowed_origins, preflight ? request.headers : undefined);
    if (headers) setAll(reply.raw, headers);
    if (preflight) {
      void reply.code(headers ? 204 : 403).send();
      return;
    }
    done();
  });
}

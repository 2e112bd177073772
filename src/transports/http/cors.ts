// CORS per `client.allowed_origins`: `*` allows any origin, localhost origins are always allowed
// (Bifrost v1.3), others must be listed. Headers go on the raw response so they survive routes
// that hijack the reply for streaming. Preflights are answered here.
import type { FastifyInstance } from 'fastify';
import type { ConfigSource } from '../../core/index.js';

const LOCALHOST = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/i;

export function isOriginAllowed(origin: string, allowed: readonly string[]): boolean {
  if (LOCALHOST.test(origin)) return true;
  return allowed.some((entry) => entry === '*' || entry.toLowerCase() === origin.toLowerCase());
}

export function registerCors(app: FastifyInstance, config: ConfigSource): void {
  app.addHook('onRequest', (request, reply, done) => {
    const origin = request.headers.origin;
    if (origin === undefined) {
      done();
      return;
    }
    const client = config.current().client;
    const allowed = isOriginAllowed(origin, client.allowed_origins);
    const preflight = request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined;
    if (allowed) {
      const raw = reply.raw;
      raw.setHeader('access-control-allow-origin', origin);
      raw.setHeader('vary', 'Origin');
      raw.setHeader('access-control-allow-credentials', 'true');
      if (preflight) {
        raw.setHeader('access-control-allow-methods', 'GET, POST, PUT, PATCH, DELETE, OPTIONS');
        raw.setHeader('access-control-allow-headers', request.headers['access-control-request-headers'] ?? '*');
        raw.setHeader('access-control-max-age', '86400');
      }
    }
    if (preflight) {
      void reply.code(allowed ? 204 : 403).send();
      return;
    }
    done();
  });
}

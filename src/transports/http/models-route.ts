// `GET /v1/models`: the models of every configured provider (or of `?provider=`), through the
// engine. A Fastify route: it is not on the per-request hot path.
import type { FastifyInstance } from 'fastify';
import { Cancellation, type Clock, type Gateway } from '../../core/index.js';
import { sendError } from './error-reply.js';
import { exposedHeaders } from './inference-handler.js';
import { requestIdOf } from './request-id.js';

export function registerModelsRoute(app: FastifyInstance, deps: { gateway: Gateway; clock: Clock }): void {
  app.get('/v1/models', async (request, reply) => {
    const requestId = requestIdOf(request.headers);
    const cancellation = new Cancellation();
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) cancellation.abort(new Error('client disconnected'));
    });
    reply.header('x-bifrost-request-id', requestId);
    const ctx = { requestId, cancellation, headers: exposedHeaders(request.headers), startedAt: deps.clock.monotonic(), values: new Map() };
    const provider = (request.query as Record<string, string | undefined>).provider;
    try {
      const list = await deps.gateway.listModels(ctx, provider || undefined);
      await reply.code(200).type('application/json').send(JSON.stringify(list));
    } catch (error) {
      await sendError(reply, error, { requestType: 'list_models', provider });
    }
  });
}

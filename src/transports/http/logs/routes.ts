// The logs API: `GET /api/logs` (Bifrost's filters, sorting, pagination and stats),
// `GET /api/logs/models`, `GET /api/logs/dropped`, and the live stream on `GET /ws`, as one route
// module for the HTTP server.
import type { FastifyInstance } from 'fastify';
import type { ConfigSource, Logger } from '../../../core/index.js';
import { toApiLog, type WriterStats } from '../../../plugins/logging/index.js';
import type { LogsStore } from '../../../storage/logs/index.js';
import { httpError } from '../bifrost-error.js';
import { sendError } from '../error-reply.js';
import { registerLiveLogs, type LiveLogSource } from './live.js';
import { parseLogQuery } from './query-params.js';

export interface LogsRoutesOptions {
  store: LogsStore;
  /** The logging plugin: live events and writer counters. */
  logging: LiveLogSource & { stats(): WriterStats };
  config: ConfigSource;
  logger?: Logger;
}

export function logsRoutes(options: LogsRoutesOptions): (app: FastifyInstance) => void {
  return (app) => {
    app.get('/api/logs', async (request, reply) => {
      const parsed = parseLogQuery(request.query as Record<string, string | string[] | undefined>);
      if (!parsed.ok) return sendError(reply, parsed.error, {});
      let result;
      try {
        result = await options.store.search(parsed.query);
      } catch (error) {
        options.logger?.warn({ err: error instanceof Error ? error.message : String(error) }, 'logs query failed');
        return sendError(reply, httpError(503, 'logs_store_unavailable', 'the logs store is not reachable'), {});
      }
      return reply.send({ logs: result.logs.map(toApiLog), pagination: result.pagination, stats: result.stats });
    });
    app.get('/api/logs/models', async (_request, reply) => reply.send({ models: await options.store.models() }));
    app.get('/api/logs/dropped', async (_request, reply) => {
      const stats = options.logging.stats();
      return reply.send({
        dropped_requests: stats.dropped, content_dropped: stats.contentDropped, pending: stats.pending, store_healthy: stats.healthy,
      });
    });
    registerLiveLogs(app, { source: options.logging, config: options.config, ...(options.logger ? { logger: options.logger } : {}) });
  };
}

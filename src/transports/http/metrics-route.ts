// `GET /metrics`: the Prometheus text exposition of the telemetry plugin's registry (the `http_*`
// series are fed through the server's exchange observers, the rest by the plugin's events).
import type { FastifyInstance } from 'fastify';

export interface MetricsSource {
  exposition(): Promise<{ contentType: string; body: string }>;
}

export function metricsRoute(source: MetricsSource): (app: FastifyInstance) => void {
  return (app) => {
    app.get('/metrics', async (_request, reply) => {
      const { contentType, body } = await source.exposition();
      return reply.header('content-type', contentType).send(body);
    });
  };
}

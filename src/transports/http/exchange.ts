// What the HTTP server tells observers about each finished exchange (the telemetry plugin's
// `http_*` metrics): one HttpExchange (a core type) per request, from the inference fast path and
// from Fastify's routes alike, sent after the response is done so an observer never delays it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpExchange } from '../../core/index.js';

export type { HttpExchange };

export type ExchangeObserver = (exchange: HttpExchange) => void;

/** Route template for requests that matched no route. */
export const UNMATCHED_PATH = 'unmatched';

function byteCount(value: string | number | string[] | undefined): number | undefined {
  if (value === undefined) return undefined;
  const raw = Array.isArray(value) ? value[0] : value;
  const n = typeof raw === 'number' ? raw : Number(raw);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/**
 * Tells every observer about one finished exchange, read off the raw request and response. An
 * observer that throws loses only its own record (`onError` hears of it); the connection never does.
 */
export function reportExchange(observers: readonly ExchangeObserver[], req: IncomingMessage, res: ServerResponse,
  route: { path: string; durationSeconds: number }, onError?: (error: unknown) => void): void {
  const exchange: HttpExchange = {
    method: req.method ?? 'GET',
    path: route.path,
    status: res.statusCode,
    durationSeconds: route.durationSeconds,
    requestBytes: byteCount(req.headers['content-length']),
    responseBytes: byteCount(res.getHeader('content-length') as string | undefined),
    headers: req.headers,
  };
  for (const observer of observers) {
    try {
      observer(exchange);
    } catch (error) {
      onError?.(error);
    }
  }
}

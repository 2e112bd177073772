// What the HTTP server tells observers about each finished exchange (the telemetry plugin's
// `http_*` metrics): one HttpExchange (a core type) per request, from the inference fast path and
// from Fastify's routes alike, sent after the response is done so an observer never delays it.
import type { HttpExchange } from '../../core/index.js';

export type { HttpExchange };

export type ExchangeObserver = (exchange: HttpExchange) => void;

/** Route template for requests that matched no route. */
export const UNMATCHED_PATH = 'unmatched';

export function byteCount(value: string | number | string[] | undefined): number | undefined {
  if (value === undefined) return undefined;
  const raw = Array.isArray(value) ? value[0] : value;
  const n = typeof raw === 'number' ? raw : Number(raw);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

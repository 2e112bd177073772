// What the HTTP server tells observers about each finished exchange (the telemetry plugin's
// `http_*` metrics): one record per request, from the inference fast path and from Fastify's
// routes alike, sent after the response is done so an observer never delays it.

export interface HttpExchange {
  method: string;
  /** The route template (`/v1/chat/completions`, `/api/logs`), or `unmatched`: bounded cardinality. */
  path: string;
  status: number;
  durationSeconds: number;
  /** Body sizes in bytes from content-length; undefined when unknown (chunked, streamed). */
  requestBytes: number | undefined;
  responseBytes: number | undefined;
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

export type ExchangeObserver = (exchange: HttpExchange) => void;

/** Route template for requests that matched no route. */
export const UNMATCHED_PATH = 'unmatched';

export function byteCount(value: string | number | string[] | undefined): number | undefined {
  if (value === undefined) return undefined;
  const raw = Array.isArray(value) ? value[0] : value;
  const n = typeof raw === 'number' ? raw : Number(raw);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

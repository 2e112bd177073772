// What a transport reports about each finished HTTP exchange, for observers that keep HTTP-level
// metrics (the telemetry plugin's `http_*` series). Defined here, beside the plugin contract, so
// the transport that produces it and the plugins that consume it share one shape.

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

// The request-log record and the port through which the logging plugin persists it. The record's
// fields are Bifrost's log columns (snake_case, so a storage backend maps them one to one); the
// store is whatever main.ts wires in (SQLite or PostgreSQL under src/storage/logs).
import type { RawContent } from './content.js';

export type LogStatus = 'processing' | 'success' | 'error';

export interface LogEntry {
  /** The request id. */
  id: string;
  /** For a request issued as a fallback of another one. */
  parent_request_id: string | null;
  /** Wall-clock ms of the request start; fixed for the life of the row (it is the partition key). */
  timestamp: number;
  /** Bifrost's object type: chat.completion, text.completion, embedding, response, list. */
  object: string;
  provider: string;
  model: string;
  status: LogStatus;
  /** End-to-end latency, ms; null while processing. */
  latency: number | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  total_tokens: number | null;
  /** USD. */
  cost: number | null;
  stream: boolean;
  virtual_key_id: string | null;
  virtual_key_name: string | null;
  selected_key_name: string | null;
  fallback_index: number | null;
  /** JSON text of the input messages / prompt, or null when content logging is off. */
  input_history: string | null;
  /** JSON text of the output message (or accumulated stream text). */
  output_message: string | null;
  /** JSON text of Bifrost's error details `{status_code, error:{type, message, code, param}}`. */
  error_details: string | null;
  /** Flattened text of input and output, for `content_search`. */
  content_summary: string | null;
  /**
   * Content still as text (the caller's request, the forwarded response): the store derives
   * input_history, output_message and content_summary from it when it writes the row
   * (`resolveContent`), and those three columns are null until then.
   */
  raw?: RawContent;
}

/**
 * Persists log rows. Rows are keyed by (id, timestamp); a later write of the same row wins. A row
 * carrying `raw` content is written with the columns `resolveContent` derives from it.
 */
export interface LogStore {
  upsert(entries: readonly LogEntry[]): Promise<void>;
  /**
   * Optional: a store that can take rows for good and write them in its own batches (the SQLite
   * write thread) returns a RowCustody; rows it later cannot write come back through `returned`.
   */
  custody?(handlers: CustodyHandlers): RowCustody | undefined;
}

export interface RowCustody {
  /** Takes the rows; false when it cannot now (the caller then writes them with `upsert`). */
  take(entries: readonly LogEntry[]): boolean;
  /** Resolves once every row taken so far is written or handed back. */
  flush(): Promise<void>;
}

export interface CustodyHandlers {
  /** Rows taken that are now written. */
  committed(count: number): void;
  /** Rows taken that could not be written (the store is unreachable): the caller retries them. */
  returned(rows: LogEntry[], error: string): void;
  /** Rows taken that are lost (refused by the database as bad data). */
  lost(count: number, error: string): void;
}

export interface LiveLogEvent {
  operation: 'create' | 'update';
  entry: LogEntry;
}

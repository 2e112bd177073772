// The batched upsert of log rows as one plain parameterised statement. Building it with the query
// builder parsed every value of every row into a node tree and compiled that tree again on each
// batch — a fifth of the write cost; the statement's shape only depends on the row count, so it
// is written out directly (same SQL for both backends, placeholders aside).
import { CompiledQuery } from 'kysely';
import type { DatabaseKind } from '../database.js';
import type { LogEntry } from '../../plugins/logging/types.js';
import { LOGS_TABLE } from './schema.js';

/** Every column of a row, in statement order. */
export const COLUMNS = [
  'id', 'parent_request_id', 'timestamp', 'object', 'provider', 'model', 'status', 'latency',
  'prompt_tokens', 'completion_tokens', 'total_tokens', 'cost', 'stream', 'virtual_key_id',
  'virtual_key_name', 'selected_key_name', 'fallback_index', 'input_history', 'output_message',
  'error_details', 'content_summary',
] as const satisfies readonly (keyof LogEntry)[];

/** Rows per statement: 21 columns × 400 stays under every driver's parameter limit. */
export const UPSERT_CHUNK = 400;

const HEAD = `insert into "${LOGS_TABLE}" (${COLUMNS.map((c) => `"${c}"`).join(', ')}) values `;
// A later write of the same (id, timestamp) row replaces every other column.
const TAIL = ` on conflict ("id", "timestamp") do update set ${COLUMNS
  .filter((c) => c !== 'id' && c !== 'timestamp')
  .map((c) => `"${c}" = "excluded"."${c}"`).join(', ')}`;

/** One statement upserting `rows` (at most UPSERT_CHUNK of them). */
export function upsertStatement(kind: DatabaseKind, rows: readonly LogEntry[]): CompiledQuery {
  const params: unknown[] = [];
  const groups: string[] = [];
  for (const row of rows) {
    const marks: string[] = [];
    for (const column of COLUMNS) {
      const value = row[column];
      params.push(column === 'stream' && kind === 'sqlite' ? (value ? 1 : 0) : value ?? null);
      marks.push(kind === 'postgres' ? `$${params.length}` : '?');
    }
    groups.push(`(${marks.join(', ')})`);
  }
  return CompiledQuery.raw(`${HEAD}${groups.join(', ')}${TAIL}`, params);
}

/** The one-row statement with positional `?` placeholders in COLUMNS order (SQLite write thread). */
export const SQLITE_ROW_UPSERT = `${HEAD}(${COLUMNS.map(() => '?').join(', ')})${TAIL}`;

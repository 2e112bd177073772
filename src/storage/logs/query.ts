// The `/api/logs` filters as a typed query, and their translation to SQL conditions shared by the
// page query and the stats query. Filters are Bifrost's: providers, models, status, objects,
// virtual keys (by id), a time range, latency/token/cost bounds and a content search.
import { sql, type ExpressionBuilder, type Expression, type SqlBool } from 'kysely';
import type { DatabaseKind } from '../database.js';
import type { LogsTables } from './schema.js';

export const SORT_FIELDS = ['timestamp', 'latency', 'tokens', 'cost'] as const;
export type SortField = (typeof SORT_FIELDS)[number];

export interface LogFilters {
  providers?: string[];
  models?: string[];
  status?: string[];
  objects?: string[];
  /** Virtual key ids (Bifrost's `virtual_key_ids`); the column is indexed with the timestamp. */
  virtual_key_ids?: string[];
  /** Epoch ms, inclusive. */
  start_time?: number;
  /** Epoch ms, inclusive. */
  end_time?: number;
  min_latency?: number;
  max_latency?: number;
  min_tokens?: number;
  max_tokens?: number;
  min_cost?: number;
  max_cost?: number;
  content_search?: string;
}

export interface LogQuery extends LogFilters {
  limit: number;
  offset: number;
  sort_by: SortField;
  order: 'asc' | 'desc';
}

export const SORT_COLUMNS: Record<SortField, 'timestamp' | 'latency' | 'total_tokens' | 'cost'> = {
  timestamp: 'timestamp', latency: 'latency', tokens: 'total_tokens', cost: 'cost',
};

type Eb = ExpressionBuilder<LogsTables, 'logs'>;

export function whereFilters(filters: LogFilters, kind: DatabaseKind): (eb: Eb) => Expression<SqlBool> {
  return (eb) => {
    const and: Expression<SqlBool>[] = [];
    const inList = (column: 'provider' | 'model' | 'status' | 'object' | 'virtual_key_id', values: string[] | undefined): void => {
      if (values && values.length > 0) and.push(eb(column, 'in', values));
    };
    inList('provider', filters.providers);
    inList('model', filters.models);
    inList('status', filters.status);
    inList('object', filters.objects);
    inList('virtual_key_id', filters.virtual_key_ids);
    if (filters.start_time !== undefined) and.push(eb('timestamp', '>=', filters.start_time));
    if (filters.end_time !== undefined) and.push(eb('timestamp', '<=', filters.end_time));
    if (filters.min_latency !== undefined) and.push(eb('latency', '>=', filters.min_latency));
    if (filters.max_latency !== undefined) and.push(eb('latency', '<=', filters.max_latency));
    if (filters.min_tokens !== undefined) and.push(eb('total_tokens', '>=', filters.min_tokens));
    if (filters.max_tokens !== undefined) and.push(eb('total_tokens', '<=', filters.max_tokens));
    if (filters.min_cost !== undefined) and.push(eb('cost', '>=', filters.min_cost));
    if (filters.max_cost !== undefined) and.push(eb('cost', '<=', filters.max_cost));
    if (filters.content_search) {
      const pattern = `%${escapeLike(filters.content_search)}%`;
      // SQLite's LIKE is already case-insensitive for ASCII; PostgreSQL needs ILIKE.
      and.push(kind === 'postgres'
        ? sql<SqlBool>`content_summary ilike ${pattern} escape '\\'`
        : sql<SqlBool>`content_summary like ${pattern} escape '\\'`);
    }
    return eb.and(and);
  };
}

export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

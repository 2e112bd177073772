// Parses `GET /api/logs` query strings into a LogQuery. Lists may come comma-separated
// (`providers=openai,anthropic`, as Bifrost's UI sends them) or as repeated keys; times are
// RFC 3339 or epoch milliseconds. Anything malformed or out of range is a 400 that names the
// parameter, never a value the store cannot take (which would surface as a 503).
import type { LogQuery, SortField } from '../../../storage/logs/index.js';
import { SORT_FIELDS } from '../../../storage/logs/index.js';
import { httpError } from '../bifrost-error.js';
import type { GatewayError } from '../../../core/index.js';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 1000;

const LIST_PARAMS = ['providers', 'models', 'status', 'objects', 'virtual_key_ids'] as const;
const DECIMAL_PARAMS = ['min_latency', 'max_latency', 'min_cost', 'max_cost'] as const;
const TOKEN_PARAMS = ['min_tokens', 'max_tokens'] as const;
const KNOWN = new Set<string>([...LIST_PARAMS, ...DECIMAL_PARAMS, ...TOKEN_PARAMS, 'start_time', 'end_time', 'content_search',
  'limit', 'offset', 'sort_by', 'order']);
const STATUSES = new Set(['processing', 'success', 'error']);
/** Token counts are a 32-bit `integer` column on both stores; PostgreSQL refuses a larger bound. */
export const MAX_TOKENS = 2_147_483_647;
/** The latest instant a JavaScript Date can hold; epoch-ms times beyond it mean nothing. */
export const MAX_EPOCH_MS = 8_640_000_000_000_000;

type Raw = Record<string, string | string[] | undefined>;

export type ParsedQuery = { ok: true; query: LogQuery } | { ok: false; error: GatewayError };

export function parseLogQuery(raw: Raw): ParsedQuery {
  try {
    return { ok: true, query: parse(raw) };
  } catch (error) {
    if (error instanceof BadParam) return { ok: false, error: httpError(400, 'invalid_request_error', error.message, error.param) };
    throw error;
  }
}

class BadParam extends Error {
  constructor(readonly param: string, message: string) {
    super(`invalid query parameter "${param}": ${message}`);
  }
}

function single(raw: Raw, name: string): string | undefined {
  const value = raw[name];
  if (Array.isArray(value)) {
    if (value.length > 1) throw new BadParam(name, 'given more than once');
    return value[0];
  }
  return value;
}

function list(raw: Raw, name: string): string[] | undefined {
  const value = raw[name];
  if (value === undefined) return undefined;
  const items = (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  return items.length > 0 ? items : undefined;
}

/**
 * A count (limit, offset, tokens): decimal digits only, so `1e99`, `2.5` and `0x10` are refused
 * here with the parameter's name instead of reaching the database as a value it cannot take.
 */
function integer(raw: Raw, name: string, min: number, max: number): number | undefined {
  const text = single(raw, name);
  if (text === undefined || text === '') return undefined;
  if (!/^\d+$/.test(text.trim())) throw new BadParam(name, `"${text}" is not a non-negative integer`);
  const value = Number(text.trim());
  if (value < min) throw new BadParam(name, `must be at least ${min}`);
  if (value > max) throw new BadParam(name, `must be at most ${max}`);
  return value;
}

/** A measure that may be fractional (latency in ms, cost in dollars): a finite number >= 0. */
function decimal(raw: Raw, name: string): number | undefined {
  const text = single(raw, name);
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || !/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text.trim())) throw new BadParam(name, `"${text}" is not a finite number`);
  if (value < 0) throw new BadParam(name, 'must be at least 0');
  return value;
}

function time(raw: Raw, name: string): number | undefined {
  const text = single(raw, name);
  if (text === undefined || text === '') return undefined;
  if (/^\d+$/.test(text)) {
    const ms = Number(text);
    if (ms > MAX_EPOCH_MS) throw new BadParam(name, `epoch milliseconds must be at most ${MAX_EPOCH_MS}`);
    return ms;
  }
  // RFC 3339 needs a date, a time and a zone; Date.parse alone would also accept "March 7".
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(text)) {
    throw new BadParam(name, `"${text}" is not an RFC 3339 time or epoch milliseconds`);
  }
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new BadParam(name, `"${text}" is not a valid time`);
  return ms;
}

function parse(raw: Raw): LogQuery {
  for (const key of Object.keys(raw)) if (!KNOWN.has(key)) throw new BadParam(key, 'unknown parameter');
  const status = list(raw, 'status');
  for (const s of status ?? []) if (!STATUSES.has(s)) throw new BadParam('status', `"${s}" is not one of processing, success, error`);
  const sortBy = single(raw, 'sort_by') ?? 'timestamp';
  if (!(SORT_FIELDS as readonly string[]).includes(sortBy)) throw new BadParam('sort_by', `must be one of ${SORT_FIELDS.join(', ')}`);
  const order = (single(raw, 'order') ?? 'desc').toLowerCase();
  if (order !== 'asc' && order !== 'desc') throw new BadParam('order', 'must be asc or desc');
  const query: LogQuery = {
    limit: integer(raw, 'limit', 1, MAX_LIMIT) ?? DEFAULT_LIMIT,
    offset: integer(raw, 'offset', 0, Number.MAX_SAFE_INTEGER) ?? 0,
    sort_by: sortBy as SortField,
    order,
  };
  for (const name of LIST_PARAMS) {
    const values = name === 'status' ? status : list(raw, name);
    if (values) query[name] = values;
  }
  for (const name of DECIMAL_PARAMS) {
    const value = decimal(raw, name);
    if (value !== undefined) query[name] = value;
  }
  for (const name of TOKEN_PARAMS) {
    const value = integer(raw, name, 0, MAX_TOKENS);
    if (value !== undefined) query[name] = value;
  }
  const start = time(raw, 'start_time');
  const end = time(raw, 'end_time');
  if (start !== undefined) query.start_time = start;
  if (end !== undefined) query.end_time = end;
  if (start !== undefined && end !== undefined && start > end) throw new BadParam('end_time', 'is before start_time');
  for (const [min, max] of [['min_latency', 'max_latency'], ['min_tokens', 'max_tokens'], ['min_cost', 'max_cost']] as const) {
    const lo = query[min];
    const hi = query[max];
    if (lo !== undefined && hi !== undefined && lo > hi) throw new BadParam(max, `is below ${min}`);
  }
  const search = single(raw, 'content_search');
  if (search !== undefined && search.trim() !== '') {
    if (search.length > 500) throw new BadParam('content_search', 'longer than 500 characters');
    query.content_search = search.trim();
  }
  return query;
}

// Maps admin failures to Bifrost's error JSON: a body that fails validation → 400 naming the field
// (`keys[0].weight: expected number`), a missing entity → 404, a duplicate → 409, a refused write
// (file-only mode) → 409, the database unreachable → 503. Nothing reaches the caller as a stack.
import { z } from 'zod';
import { ConfigError } from '../../../config/index.js';
import { ConfigStoreDisabledError, ConfigStoreWriteError } from '../../../storage/config-store/index.js';
import { httpError } from '../bifrost-error.js';
import type { GatewayError } from '../../../core/index.js';

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

export function badRequest(message: string, field?: string): GatewayError {
  return httpError(400, 'invalid_request_error', field ? `${field}: ${message}` : message, field);
}

export const notFound = (what: string): GatewayError => httpError(404, 'not_found', `${what} not found`);
export const conflict = (message: string): GatewayError => httpError(409, 'conflict', message);

/** Parses `body` with `schema`, throwing a 400 that names the first offending field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown, prefix = ''): z.output<S> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('request body must be a JSON object');
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = formatPath(issue?.path ?? []);
  const field = prefix && path ? `${prefix}.${path}` : prefix || path;
  throw badRequest(issue?.message ?? 'invalid value', field || undefined);
}

/** Translates store/config errors thrown by a change into HTTP errors; rethrows the rest. */
export function translateStoreError(error: unknown): never {
  if (error instanceof ConfigError) {
    const issue = error.issues[0];
    throw badRequest(issue?.message ?? error.message, issue?.path || undefined);
  }
  if (error instanceof ConfigStoreDisabledError) throw httpError(409, 'config_store_disabled', error.message);
  if (error instanceof ConfigStoreWriteError) throw httpError(503, 'config_store_unavailable', error.message);
  throw error;
}

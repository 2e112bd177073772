// The request id every response carries in `x-bifrost-request-id`: the caller's `x-request-id`
// when it sent a sane one (so ids correlate across its own systems), else a fresh UUID.
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { headerValue } from './door/index.js';

export function requestIdOf(headers: IncomingHttpHeaders): string {
  const given = headers['x-request-id'];
  return typeof given === 'string' && given.length > 0 && given.length <= 200 ? headerValue(given) : randomUUID();
}

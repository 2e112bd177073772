// Request bodies are buffered raw and parsed exactly once with JSON.parse; the parsed object is what
// the engine forwards (no second parse, no re-validation by fastify). Any content type is read as
// JSON, as Bifrost does, unless a route module registers a more specific parser (e.g. multipart).
// The size limit is read from the live config per request, so an admin edit of
// `client.max_request_body_size_mb` applies without a restart. A body that stops arriving (a slow
// client, or a chunk header declaring more than will ever come) is answered 408 once nothing has
// arrived for the idle timeout, instead of holding its socket and buffers until the client leaves.
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ConfigSource } from '../../core/index.js';
import { httpError } from './bifrost-error.js';
import { isUnder } from './door/index.js';
import { locateJsonError } from './json-error.js';

const MB = 1024 * 1024;
/** Default for buildHttpServer's `bodyIdleTimeoutMs`. */
export const BODY_IDLE_TIMEOUT_MS = 30_000;

export interface BodyLimits {
  /** client.max_request_body_size_mb, read per request. */
  maxMb: number;
  /** How long a body may send nothing before it is answered 408. */
  idleTimeoutMs: number;
  /** What sets `maxMb`, for the 413's message (default client.max_request_body_size_mb). */
  source?: string;
}

/**
 * Admin bodies (/api/*) are configuration, never payloads: they are bounded well below inference
 * bodies, so a huge one is refused before it is read and parsed, whatever the route's own field
 * limits would say after parsing it.
 */
export const ADMIN_BODY_LIMIT_MB = 16;

function tooLarge(limits: BodyLimits): Error {
  return httpError(413, 'request_too_large', `request body too large: limit is ${limits.maxMb} MB (${limits.source ?? 'client.max_request_body_size_mb'})`);
}

export function parseJsonText(text: string): unknown {
  if (text.length === 0) throw httpError(400, 'invalid_request_error', 'request body is empty: expected a JSON object');
  try {
    return JSON.parse(text);
  } catch (error) {
    const where = locateJsonError(text);
    const detail = where
      ? `${where.problem} at position ${where.position} (line ${where.line}, column ${where.column})`
      : (error instanceof Error ? error.message : String(error));
    throw httpError(400, 'invalid_request_error', `invalid JSON in request body: ${detail}`);
  }
}

/** Statuses after which the rest of the body is not read: the answer closes the connection. */
export function endsConnection(status: number): boolean {
  return status === 408 || status === 413;
}

/**
 * Gathers a request body up to `limits.maxMb`: a declared length over the limit is refused before
 * reading, a chunked body as soon as it passes it, a stalled one after `limits.idleTimeoutMs`.
 * `done` is called once.
 */
export function collectBody(payload: IncomingMessage, limits: BodyLimits, done: (err: Error | null, body?: Buffer) => void): void {
  const limit = limits.maxMb * MB;
  const declared = Number(payload.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    done(tooLarge(limits));
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let finished = false;
  const finish = (err: Error | null, body?: Buffer): void => {
    if (finished) return;
    finished = true;
    clearTimeout(idle);
    payload.removeListener('data', onData);
    payload.removeListener('end', onEnd);
    payload.removeListener('error', onError);
    done(err, body);
  };
  const idle = setTimeout(() => finish(httpError(408, 'request_timeout',
    `request body stalled: nothing received for ${limits.idleTimeoutMs / 1000} s`)), limits.idleTimeoutMs);
  const onData = (chunk: Buffer): void => {
    idle.refresh();
    size += chunk.length;
    if (size > limit) {
      finish(tooLarge(limits));
      return;
    }
    chunks.push(chunk);
  };
  const onEnd = (): void => finish(null, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
  const onError = (error: Error): void => finish(httpError(400, 'invalid_request_error', `error reading request body: ${error.message}`));
  payload.on('data', onData);
  payload.on('end', onEnd);
  payload.on('error', onError);
}

export function registerJsonBody(app: FastifyInstance, config: ConfigSource, idleTimeoutMs: number): void {
  const parser = (request: FastifyRequest, payload: IncomingMessage, done: (err: Error | null, body?: unknown) => void): void => {
    const configured = config.current().client.max_request_body_size_mb;
    const limits: BodyLimits = isUnder(request.url.split('?')[0] ?? '', '/api') && configured > ADMIN_BODY_LIMIT_MB
      ? { maxMb: ADMIN_BODY_LIMIT_MB, idleTimeoutMs, source: 'admin API bodies' }
      : { maxMb: configured, idleTimeoutMs };
    collectBody(payload, limits, (err, body) => {
      if (err) {
        done(err);
        return;
      }
      try {
        done(null, parseJsonText(body!.toString('utf8')));
      } catch (error) {
        done(error as Error);
      }
    });
  };
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', parser);
  app.addContentTypeParser('*', parser);
}

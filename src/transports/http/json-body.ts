// Request bodies are buffered raw and parsed exactly once with JSON.parse; the parsed object is what
// the engine forwards (no second parse, no re-validation by fastify). Any content type is read as
// JSON, as Bifrost does, unless a route module registers a more specific parser (e.g. multipart).
// The size limit is read from the live config per request, so an admin edit of
// `client.max_request_body_size_mb` applies without a restart.
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ConfigSource } from '../../core/index.js';
import { httpError } from './bifrost-error.js';
import { locateJsonError } from './json-error.js';

const MB = 1024 * 1024;

function tooLarge(limitMb: number): Error {
  return httpError(413, 'request_too_large', `request body too large: limit is ${limitMb} MB (client.max_request_body_size_mb)`);
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

/**
 * Gathers a request body up to `limitMb` (client.max_request_body_size_mb): a declared length over
 * the limit is refused before reading, a chunked body as soon as it passes it. `done` is called once.
 */
export function collectBody(payload: IncomingMessage, limitMb: number, done: (err: Error | null, body?: Buffer) => void): void {
  const limit = limitMb * MB;
  const declared = Number(payload.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    done(tooLarge(limitMb));
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let finished = false;
  const finish = (err: Error | null, body?: Buffer): void => {
    if (finished) return;
    finished = true;
    payload.removeListener('data', onData);
    payload.removeListener('end', onEnd);
    payload.removeListener('error', onError);
    done(err, body);
  };
  const onData = (chunk: Buffer): void => {
    size += chunk.length;
    if (size > limit) {
      finish(tooLarge(limitMb));
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

export function registerJsonBody(app: FastifyInstance, config: ConfigSource): void {
  const parser = (_request: FastifyRequest, payload: IncomingMessage, done: (err: Error | null, body?: unknown) => void): void => {
    collectBody(payload, config.current().client.max_request_body_size_mb, (err, body) => {
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

// Writing Bifrost's error JSON as a response: on a Fastify reply (admin, logs, governance routes)
// or on a raw node:http response (the inference fast path). Both carry the same identity headers
// a success would (`x-bifrost-request-type`, `x-bifrost-provider`) as far as they are known.
import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import { bifrostErrorBody, toGatewayError, type ErrorScope } from './bifrost-error.js';
import { headerValue } from './door/index.js';

/** The status, identity headers (and `retry-after`) and JSON body of an error answer. */
export function errorReply(error: unknown, scope: ErrorScope): { status: number; identity: Record<string, string>; body: string } {
  const gatewayError = toGatewayError(error);
  const identity: Record<string, string> = {};
  if (scope.requestType !== undefined) identity['x-bifrost-request-type'] = scope.requestType;
  const provider = gatewayError.provider ?? scope.provider;
  if (provider !== undefined) identity['x-bifrost-provider'] = headerValue(provider);
  if (gatewayError.retryAfterSeconds !== undefined) identity['retry-after'] = String(Math.ceil(gatewayError.retryAfterSeconds));
  return { status: gatewayError.status, identity, body: JSON.stringify(bifrostErrorBody(gatewayError, scope)) };
}

export function sendError(reply: FastifyReply, error: unknown, scope: ErrorScope): FastifyReply {
  const { status, identity, body } = errorReply(error, scope);
  return reply.code(status).headers(identity).type('application/json').send(body);
}

/** Ends `res` with the error; `headers` (request id, CORS...) are sent along. */
export function writeError(res: ServerResponse, error: unknown, scope: ErrorScope, headers: Record<string, string>): void {
  const { status, identity, body } = errorReply(error, scope);
  res.writeHead(status, {
    ...headers, ...identity, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)),
  }).end(body);
}

/** Ends a response whose handler threw: an error answer if nothing was sent yet, else a cut connection. */
export function endAfterFailure(res: ServerResponse, error: unknown): void {
  try {
    if (!res.headersSent) {
      writeError(res, error, {}, { connection: 'close' });
      return;
    }
  } catch {
    // fall through: the error answer itself could not be written
  }
  res.destroy();
}

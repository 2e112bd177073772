// Writing Bifrost's error JSON as a response: on a Fastify reply (admin, logs, governance routes)
// or on a raw node:http response (the inference fast path). Both carry the same identity headers
// a success would (`x-bifrost-request-type`, `x-bifrost-provider`) as far as they are known.
import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import { bifrostErrorBody, toGatewayError, type ErrorScope } from './bifrost-error.js';

export function sendError(reply: FastifyReply, error: unknown, scope: ErrorScope): FastifyReply {
  const gatewayError = toGatewayError(error);
  if (scope.requestType !== undefined) reply.header('x-bifrost-request-type', scope.requestType);
  const provider = gatewayError.provider ?? scope.provider;
  if (provider !== undefined) reply.header('x-bifrost-provider', provider);
  return reply.code(gatewayError.status).type('application/json').send(JSON.stringify(bifrostErrorBody(gatewayError, scope)));
}

/** Ends `res` with the error; `headers` (request id, CORS...) are sent along. */
export function writeError(res: ServerResponse, error: unknown, scope: ErrorScope, headers: Record<string, string>): void {
  const gatewayError = toGatewayError(error);
  const body = JSON.stringify(bifrostErrorBody(gatewayError, scope));
  if (scope.requestType !== undefined) headers['x-bifrost-request-type'] = scope.requestType;
  const provider = gatewayError.provider ?? scope.provider;
  if (provider !== undefined) headers['x-bifrost-provider'] = provider;
  headers['content-type'] = 'application/json';
  headers['content-length'] = String(Buffer.byteLength(body));
  res.writeHead(gatewayError.status, headers).end(body);
}

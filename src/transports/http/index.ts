// Public surface of the HTTP transport.
export { buildHttpServer, type HttpServerOptions, type RouteModule } from './server.js';
export type { HealthCheck } from './health.js';
export { bifrostErrorBody, httpError, toGatewayError, type BifrostErrorBody, type ErrorScope } from './bifrost-error.js';
export { sendError } from './error-reply.js';
export type { InferenceBodyInterceptor } from './inference-handler.js';
export type { ExchangeObserver } from './exchange.js';
export { parseInferenceRequest, splitModel } from './inference-request.js';
export { isOriginAllowed } from './cors.js';
export { formatEvent, SSE_HEADERS } from './sse.js';

// Lifecycle events as the engine emits them, for driving the observability plugins directly.
import { Cancellation, type InferenceRequest, type RequestContext, type RequestSummary } from '../../../../src/core/index.js';

export function context(id: string, headers: Record<string, string> = {}, values: [string, unknown][] = []): RequestContext {
  return { requestId: id, cancellation: new Cancellation(), headers, startedAt: 0, values: new Map(values) };
}

export function chatRequest(text: string, over: Partial<InferenceRequest> = {}): InferenceRequest {
  return {
    requestType: 'chat_completion', target: { provider: 'openai', model: 'gpt-4o-mini' }, fallbacks: [],
    body: { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: text }] }, stream: false, ...over,
  };
}

export function finished(request: InferenceRequest, ctx: RequestContext, over: Partial<RequestSummary> = {}): RequestSummary {
  return {
    requestId: ctx.requestId, requestType: request.requestType, stream: request.stream,
    requestedModel: `${request.target.provider}/${request.target.model}`,
    servedBy: { provider: request.target.provider, model: request.target.model, requestedModel: 'x', fallbackIndex: 0,
      keyName: 'key-1', attempts: 1, upstreamLatencyMs: 3 },
    status: 'success', error: undefined, usage: { prompt_tokens: 12, completion_tokens: 4, total_tokens: 16 },
    cost: 0.0001, latencyMs: 5, firstTokenMs: undefined, retries: 0, failedTargets: [], request, ctx,
    output: { id: 'cmpl-1', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'the answer is 42' } }] },
    ...over,
  };
}

// Builds the mocker's canned answers in OpenAI's wire shapes for each request type — a complete
// response or a stream of chunks (the message split into word pieces), embeddings (embeddings.ts),
// a model list — so callers and SDKs cannot tell a mocked answer from a provider's, except by
// `extra_fields.provider_mocked`.
import type {
  InferenceRequest, InferenceResponse, InferenceStream, JsonObject, ServedBy, StreamEvent, Usage,
} from '../../core/index.js';
import type { MockSuccess } from './config.js';
import { embeddingBody } from './embeddings.js';

export interface MockAnswer {
  content: MockSuccess;
  text: string;
  servedBy: ServedBy;
  /** Seconds since the epoch, for `created`. */
  created: number;
  id: string;
}

export function usageOf(content: MockSuccess): Usage {
  const prompt = content.usage?.prompt_tokens ?? 10;
  const completion = content.usage?.completion_tokens ?? 20;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: content.usage?.total_tokens ?? prompt + completion };
}

function extraFields(request: InferenceRequest, answer: MockAnswer): JsonObject {
  return {
    provider: request.target.provider,
    model_requested: request.target.model,
    request_type: request.requestType,
    latency: answer.servedBy.upstreamLatencyMs,
    provider_mocked: true,
    ...(answer.content.custom_fields ? { custom_fields: answer.content.custom_fields } : {}),
  };
}

function responsesBody(answer: MockAnswer, usage: Usage, status: string): JsonObject {
  return {
    id: answer.id, object: 'response', created_at: answer.created, status, model: answer.servedBy.model,
    output: status === 'completed'
      ? [{ type: 'message', id: `msg_${answer.id}`, status: 'completed', role: 'assistant',
        content: [{ type: 'output_text', text: answer.text, annotations: [] }] }]
      : [],
    usage: { input_tokens: usage.prompt_tokens, output_tokens: usage.completion_tokens, total_tokens: usage.total_tokens },
  };
}

export function mockResponse(request: InferenceRequest, answer: MockAnswer): InferenceResponse {
  let usage = usageOf(answer.content);
  const finish = answer.content.finish_reason ?? 'stop';
  const model = answer.servedBy.model;
  let body: JsonObject;
  switch (request.requestType) {
    case 'embedding':
      ({ body, usage } = embeddingBody(request, answer.content, model));
      break;
    case 'list_models':
      // Only the model asked about is known here; the mocker has no catalogue.
      body = { object: 'list', data: [{ id: `${request.target.provider}/${model}`, object: 'model', created: answer.created, owned_by: request.target.provider }] };
      break;
    case 'text_completion':
      body = { id: answer.id, object: 'text_completion', created: answer.created, model,
        choices: [{ index: 0, text: answer.text, finish_reason: finish, logprobs: null }], usage };
      break;
    case 'responses':
      body = responsesBody(answer, usage, 'completed');
      break;
    default:
      body = { id: answer.id, object: 'chat.completion', created: answer.created, model,
        choices: [{ index: 0, message: { role: 'assistant', content: answer.text }, finish_reason: finish }], usage };
  }
  body.extra_fields = extraFields(request, answer);
  return { kind: 'response', body, usage, servedBy: answer.servedBy };
}

/** The message in word-sized pieces (whitespace kept), so a stream has several chunks. */
export function splitText(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [text];
}

function event(chunk: JsonObject, name?: string): StreamEvent {
  return { ...(name ? { event: name } : {}), data: JSON.stringify(chunk), chunk };
}

function chatOrTextEvents(request: InferenceRequest, answer: MockAnswer): StreamEvent[] {
  const usage = usageOf(answer.content);
  const finish = answer.content.finish_reason ?? 'stop';
  const text = request.requestType === 'text_completion';
  const base = { id: answer.id, object: text ? 'text_completion' : 'chat.completion.chunk', created: answer.created, model: answer.servedBy.model };
  const pieces = splitText(answer.text);
  const events = pieces.map((piece, index) => event({
    ...base,
    choices: [text
      ? { index: 0, text: piece, finish_reason: null, logprobs: null }
      : { index: 0, delta: index === 0 ? { role: 'assistant', content: piece } : { content: piece }, finish_reason: null }],
  }));
  events.push(event({
    ...base,
    choices: [text ? { index: 0, text: '', finish_reason: finish, logprobs: null } : { index: 0, delta: {}, finish_reason: finish }],
    usage,
    extra_fields: extraFields(request, answer),
  }));
  return events;
}

function responsesEvents(request: InferenceRequest, answer: MockAnswer): StreamEvent[] {
  const usage = usageOf(answer.content);
  const itemId = `msg_${answer.id}`;
  let sequence = 0;
  const next = (type: string, fields: JsonObject): StreamEvent => event({ type, sequence_number: sequence++, ...fields }, type);
  const events = [next('response.created', { response: responsesBody(answer, usage, 'in_progress') })];
  for (const delta of splitText(answer.text)) {
    events.push(next('response.output_text.delta', { item_id: itemId, output_index: 0, content_index: 0, delta }));
  }
  events.push(next('response.output_text.done', { item_id: itemId, output_index: 0, content_index: 0, text: answer.text }));
  const completed = responsesBody(answer, usage, 'completed');
  completed.extra_fields = extraFields(request, answer);
  events.push(next('response.completed', { response: completed }));
  return events;
}

export function mockStream(request: InferenceRequest, answer: MockAnswer): InferenceStream {
  const events = request.requestType === 'responses' ? responsesEvents(request, answer) : chatOrTextEvents(request, answer);
  async function* generate(): AsyncGenerator<StreamEvent> {
    for (const item of events) yield item;
  }
  return {
    kind: 'stream',
    events: generate(),
    servedBy: answer.servedBy,
    terminator: request.requestType === 'responses' ? 'none' : 'done',
  };
}

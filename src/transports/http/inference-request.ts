// Validates an inference body parsed from JSON and turns it into the engine's InferenceRequest:
// `provider/model` split at the first `/`, `fallbacks` as ModelRefs, and the fields whose type
// the gateway relies on checked up front so a wrong type is a 400 naming the field, not a crash.
import { invalidRequest, type InferenceRequest, type JsonObject, type ModelRef, type RequestType } from '../../core/index.js';

const MODEL_FORMAT = 'model should be in provider/model format';

export function splitModel(value: string, param = 'model'): ModelRef {
  const slash = value.indexOf('/');
  if (slash <= 0 || slash === value.length - 1) throw invalidRequest(`${MODEL_FORMAT} (got "${value}")`, param);
  return { provider: value.slice(0, slash), model: value.slice(slash + 1) };
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}

function expect(ok: boolean, field: string, expected: string, value: unknown): void {
  if (!ok) throw invalidRequest(`${field}: expected ${expected}, got ${kind(value)}`, field);
}

const isStringOrArray = (v: unknown): boolean => typeof v === 'string' || Array.isArray(v);

/** Per request type: the field that carries the input and the shape it must have. */
const INPUT_FIELDS: Record<Exclude<RequestType, 'list_models'>, { field: string; expected: string; check: (v: unknown) => boolean }> = {
  chat_completion: { field: 'messages', expected: 'array', check: Array.isArray },
  text_completion: { field: 'prompt', expected: 'string or array', check: isStringOrArray },
  embedding: { field: 'input', expected: 'string or array', check: isStringOrArray },
  responses: { field: 'input', expected: 'string or array', check: isStringOrArray },
};

export function parseInferenceRequest(body: unknown, requestType: Exclude<RequestType, 'list_models'>): InferenceRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidRequest(`request body: expected a JSON object, got ${kind(body)}`);
  }
  const json = body as JsonObject;
  if (json.model === undefined) throw invalidRequest('model is required', 'model');
  expect(typeof json.model === 'string', 'model', 'string', json.model);
  const target = splitModel(json.model as string);

  let fallbacks: ModelRef[] = [];
  if (json.fallbacks !== undefined && json.fallbacks !== null) {
    expect(Array.isArray(json.fallbacks), 'fallbacks', 'array of "provider/model" strings', json.fallbacks);
    fallbacks = (json.fallbacks as unknown[]).map((entry, index) => {
      expect(typeof entry === 'string', `fallbacks[${index}]`, 'string', entry);
      return splitModel(entry as string, `fallbacks[${index}]`);
    });
  }

  if (json.stream !== undefined && json.stream !== null) expect(typeof json.stream === 'boolean', 'stream', 'boolean', json.stream);
  const input = INPUT_FIELDS[requestType];
  const value = json[input.field];
  if (value === undefined) throw invalidRequest(`${input.field} is required`, input.field);
  expect(input.check(value), input.field, input.expected, value);
  if (requestType === 'chat_completion' && (value as unknown[]).length === 0) {
    throw invalidRequest('messages: expected at least one message', 'messages');
  }
  if (json.tools !== undefined && json.tools !== null) expect(Array.isArray(json.tools), 'tools', 'array', json.tools);

  // Embeddings never stream; a stray `stream` must not turn the answer into SSE.
  const stream = requestType !== 'embedding' && json.stream === true;
  return { requestType, target, fallbacks, body: json, stream };
}

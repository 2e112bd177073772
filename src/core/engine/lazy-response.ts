// A non-streaming response whose body is the upstream's text with `extra_fields` spliced in: the
// transport writes `raw` as is, and the object is parsed only if a plugin or observer reads `body`.
// Reading or replacing `body` clears `raw`, so a plugin that edits the object is never ignored.
import type { InferenceResponse, JsonObject, ServedBy, Usage } from '../types.js';

export function lazyResponse(raw: string, usage: Usage | undefined, servedBy: ServedBy): InferenceResponse {
  let body: JsonObject | undefined;
  const response = { kind: 'response', usage, servedBy } as InferenceResponse;
  Object.defineProperties(response, {
    body: {
      enumerable: true,
      configurable: true,
      get: (): JsonObject => (body ??= JSON.parse(raw) as JsonObject),
      set: (value: JsonObject) => { body = value; },
    },
    // Not enumerable: a spread copy (`{...result}`) reads `body`, so it must not carry `raw` along.
    raw: { enumerable: false, configurable: true, get: (): string | undefined => (body === undefined ? raw : undefined) },
  });
  return response;
}

// A non-streaming response whose body is the upstream's text with `extra_fields` spliced in: the
// transport writes `raw` as is, and the object is parsed only if a plugin or observer reads `body`.
// Reading or replacing `body` clears `raw`, so a plugin that edits the object is never ignored.
//
// Two shapes. Without plugin hooks nothing can copy the response, so it is a class with prototype
// accessors: V8 builds one in ~20 ns, against ~1–2 µs for an object given its own accessors. With
// hooks, a post-hook may return `{ ...response, usage }`; a spread skips prototype accessors (the
// copy would have no body), so the response then gets its own enumerable `body` accessor, which a
// spread reads (parsing the text), and a non-enumerable `raw`, which it leaves behind.
import type { InferenceResponse, JsonObject, ServedBy, Usage } from '../types.js';

class LazyResponse implements InferenceResponse {
  readonly kind = 'response' as const;
  private parsed: JsonObject | undefined;

  constructor(private readonly text: string, public usage: Usage | undefined, public servedBy: ServedBy) {}

  get body(): JsonObject {
    return (this.parsed ??= JSON.parse(this.text) as JsonObject);
  }

  set body(value: JsonObject) {
    this.parsed = value;
  }

  get raw(): string | undefined {
    return this.parsed === undefined ? this.text : undefined;
  }
}

function spreadableResponse(raw: string, usage: Usage | undefined, servedBy: ServedBy): InferenceResponse {
  let body: JsonObject | undefined;
  const response = { kind: 'response', usage, servedBy } as InferenceResponse;
  Object.defineProperties(response, {
    body: {
      enumerable: true,
      configurable: true,
      get: (): JsonObject => (body ??= JSON.parse(raw) as JsonObject),
      set: (value: JsonObject) => { body = value; },
    },
    raw: { enumerable: false, configurable: true, get: (): string | undefined => (body === undefined ? raw : undefined) },
  });
  return response;
}

/** `spreadable`: plugins with hooks can see (and copy) the response. */
export function lazyResponse(raw: string, usage: Usage | undefined, servedBy: ServedBy, spreadable = false): InferenceResponse {
  return spreadable ? spreadableResponse(raw, usage, servedBy) : new LazyResponse(raw, usage, servedBy);
}

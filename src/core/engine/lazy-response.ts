// A non-streaming response whose body is the upstream's text with `extra_fields` spliced in: the
// transport writes `raw` as is, and the object is parsed only if a plugin or observer reads `body`.
// Reading or replacing `body` clears `raw`, so a plugin that edits the object is never ignored.
//
// Two shapes. Without plugin hooks nothing can copy the response, so it is a class with prototype
// accessors (~10 ns to build). With hooks, a post-hook may return `{ ...response, usage }`; a
// spread skips prototype accessors (the copy would have no body), so the response then gets its
// own enumerable `body` accessor, which a spread reads (parsing the text), and a non-enumerable
// `raw`, which it leaves behind. Both accessors are defined from one shared descriptor each, so
// every such response keeps one hidden class (~0.26 µs to build; fresh closures per response
// cost ~1.1 µs and turned each object into a slow dictionary).
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

class SpreadableResponse implements InferenceResponse {
  readonly kind = 'response' as const;
  // Own accessors, defined in the constructor from the shared descriptors below.
  declare body: JsonObject;
  declare readonly raw: string | undefined;
  #text: string;
  #parsed: JsonObject | undefined;

  static readonly #body: PropertyDescriptor = {
    enumerable: true,
    configurable: true,
    get(this: SpreadableResponse): JsonObject {
      return (this.#parsed ??= JSON.parse(this.#text) as JsonObject);
    },
    set(this: SpreadableResponse, value: JsonObject) {
      this.#parsed = value;
    },
  };

  static readonly #raw: PropertyDescriptor = {
    enumerable: false,
    configurable: true,
    get(this: SpreadableResponse): string | undefined {
      return this.#parsed === undefined ? this.#text : undefined;
    },
  };

  constructor(text: string, public usage: Usage | undefined, public servedBy: ServedBy) {
    this.#text = text;
    Object.defineProperty(this, 'body', SpreadableResponse.#body);
    Object.defineProperty(this, 'raw', SpreadableResponse.#raw);
  }
}

/** `spreadable`: plugins with hooks can see (and copy) the response. */
export function lazyResponse(raw: string, usage: Usage | undefined, servedBy: ServedBy, spreadable = false): InferenceResponse {
  return spreadable ? new SpreadableResponse(raw, usage, servedBy) : new LazyResponse(raw, usage, servedBy);
}

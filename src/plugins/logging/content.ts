// A log row's content columns (input_history, output_message, content_summary) and how they are
// derived from a request and its output. Serializing messages, flattening their text for search
// and parsing a forwarded response to find its message cost 10–15 µs a request and allocate
// objects that the event loop then promotes (a stream's 20 chunks alone cost ~20 µs to parse); so
// when the caller's JSON text (`rawBody`) and the forwarded response's text (`outputText`) or a
// stream's chunk texts (`outputChunks`) are at hand, a row carries those strings (RawContent) and
// the store derives the columns where it writes the row — in the SQLite write thread, or at write
// time for PostgreSQL. Without them (plugin-built responses) the columns are derived on the main
// thread.
//
// From those texts, input_history and output_message are the caller's and the provider's own JSON
// of the messages, sliced out where a structural scan finds them: serializing them again cost
// more than parsing them (V8 stringifies a string at about 25 instructions a byte). Only the
// summary's text is parsed, from the slice. A text that does not scan as one object, or whose
// keys are escaped, takes the parse-and-serialize path, whose values are the same.
//
// The derivation is one self-contained factory, `contentKit`: the SQLite write thread evaluates
// its source text (it runs plain JavaScript, not this module), so both sides use the same code.
// It must therefore reference nothing outside its own body but `accumulateText` (a stream's text
// from its chunks) and core's JSON member scan, whose sources the thread evaluates alongside it.
import { accumulateText, firstElement, JSON_MEMBERS_SOURCE, scanMembers, type MemberScan, type RequestType } from '../../core/index.js';

/** Content not yet turned into columns; the store calls `resolveContent` when it writes the row. */
export interface RawContent {
  /** The caller's JSON text: input_history is its `messages` (or `prompt`, or `input`). */
  request?: string;
  /** Input columns already derived on the main thread (no request text was available). */
  input?: DerivedPart;
  /** False for a `processing` row: it has no output yet. */
  ended: boolean;
  /** A forwarded response's JSON text: output_message is its first choice's message. */
  response?: string;
  /** A stream's chunk texts: output_message is the text accumulated from them. */
  stream?: { requestType: RequestType; chunks: readonly string[] };
  /** Output columns already derived on the main thread (a plugin's response). */
  output?: DerivedPart;
}

/** One side's column text and its flattened text for `content_summary`. */
export interface DerivedPart {
  json: string | null;
  text: string;
}

export interface ContentColumns {
  input_history: string | null;
  output_message: string | null;
  content_summary: string | null;
}

export interface ContentKit {
  /** Longest `content_summary` kept; search is over this text. */
  summaryLimit: number;
  /** The human text inside messages/outputs: string leaves named content/text/refusal, or plain strings. */
  textOf(value: unknown, depth?: number): string;
  /** The input of a request body: messages, prompt or input. */
  inputOf(body: Record<string, unknown>): unknown;
  /** The output worth logging in a response: the first choice's message (or text), or `output`. */
  outputOf(out: unknown): unknown;
  safeJson(value: unknown): string | null;
  /** The input side from the request body (already parsed). */
  inputPart(body: Record<string, unknown>): DerivedPart;
  /** The output side from the response (already parsed, or undefined). */
  outputPart(out: unknown): DerivedPart;
  /** The three columns from a RawContent: parses whatever text it carries. */
  columns(raw: RawContent): ContentColumns;
}

export function contentKit(): ContentKit {
  const summaryLimit = 8192;
  function textOf(value: unknown, depth = 0): string {
    if (depth > 6 || value === null || value === undefined) return '';
    if (typeof value === 'string') return value;
    if (Array.isArray(value)) return value.map((v) => textOf(v, depth + 1)).filter(Boolean).join('\n');
    if (typeof value === 'object') {
      const record = value as Record<string, unknown>;
      const parts: string[] = [];
      for (const k of ['content', 'text', 'refusal']) if (k in record) parts.push(textOf(record[k], depth + 1));
      return parts.filter(Boolean).join('\n');
    }
    return '';
  }
  function inputOf(body: Record<string, unknown>): unknown {
    return body.messages ?? body.prompt ?? body.input ?? null;
  }
  function outputOf(out: unknown): unknown {
    if (out && typeof out === 'object') {
      const choices = (out as Record<string, unknown>).choices;
      if (Array.isArray(choices) && choices.length > 0) {
        const first = choices[0] as Record<string, unknown>;
        return first.message ?? first.text ?? first;
      }
      const output = (out as Record<string, unknown>).output;
      if (output !== undefined) return output;
    }
    return out ?? null;
  }
  function safeJson(value: unknown): string | null {
    try {
      return JSON.stringify(value) ?? null;
    } catch {
      return null;
    }
  }
  function inputPart(body: Record<string, unknown>): DerivedPart {
    const input = inputOf(body);
    return { json: safeJson(input), text: textOf(input).slice(0, summaryLimit) };
  }
  function outputPart(out: unknown): DerivedPart {
    const output = outputOf(out);
    return { json: safeJson(output), text: textOf(output) };
  }
  // Text that no longer parses (it parsed once, upstream of here) is kept as a plain string.
  function parsed(text: string): unknown {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  /** The JSON text of a member's value, whose span includes the whitespace around it. */
  function valueText(text: string, span: readonly [number, number]): string {
    return text.slice(span[0], span[1]).trim();
  }
  /** The first of `keys` whose value is not null, as its JSON text (JavaScript's `??` over them). */
  function firstNonNull(text: string, scan: MemberScan, keys: readonly string[]): string | undefined {
    for (const key of keys) {
      const span = scan.values[key];
      const json = span === undefined ? 'null' : valueText(text, span);
      if (json !== 'null') return json;
    }
    return undefined;
  }
  const inputKeys = ['messages', 'prompt', 'input'];
  /** inputOf's value as the request's own JSON text; undefined when the text does not scan. */
  function inputJson(request: string): string | undefined {
    const scan = scanMembers(request, inputKeys);
    if (scan === undefined || scan.escapedKey) return undefined;
    return firstNonNull(request, scan, inputKeys) ?? 'null';
  }
  /** outputOf's value as the response's own JSON text; undefined when the text does not scan. */
  function outputJson(response: string): string | undefined {
    const scan = scanMembers(response, ['choices', 'output']);
    if (scan === undefined || scan.escapedKey) return undefined;
    const choices = scan.values.choices;
    const span = choices === undefined ? undefined : firstElement(response, choices[0]);
    if (span === undefined) return scan.values.output !== undefined ? valueText(response, scan.values.output) : response.trim();
    const first = response.slice(span[0], span[1]);
    if (first.charCodeAt(0) !== 123 /* { */) return first;
    const inner = scanMembers(first, ['message', 'text']);
    if (inner === undefined || inner.escapedKey) return undefined;
    return firstNonNull(first, inner, ['message', 'text']) ?? first;
  }
  /** One side's columns from its JSON text: kept as it is, parsed only for the summary's text. */
  function partOf(json: string, limit: number): DerivedPart {
    return { json, text: textOf(parsed(json)).slice(0, limit) };
  }
  function requestPart(request: string): DerivedPart {
    const json = inputJson(request);
    if (json !== undefined) return partOf(json, summaryLimit);
    const body = parsed(request);
    return inputPart(body && typeof body === 'object' ? body as Record<string, unknown> : {});
  }
  function responsePart(response: string): DerivedPart {
    const json = outputJson(response);
    return json !== undefined ? partOf(json, Infinity) : outputPart(parsed(response));
  }
  function columns(raw: RawContent): ContentColumns {
    const input = raw.request !== undefined ? requestPart(raw.request) : raw.input;
    const inText = input ? input.text : '';
    if (!raw.ended) return { input_history: input ? input.json : null, output_message: null, content_summary: inText };
    const output = raw.response !== undefined ? responsePart(raw.response)
      : raw.stream !== undefined ? outputPart(accumulateText(raw.stream.requestType, raw.stream.chunks))
        : raw.output ?? { json: null, text: '' };
    return {
      input_history: input ? input.json : null,
      output_message: output.json,
      content_summary: `${inText}\n${output.text}`.slice(0, summaryLimit),
    };
  }
  return { summaryLimit, textOf, inputOf, outputOf, safeJson, inputPart, outputPart, columns };
}

/** The kit, for this thread. */
export const content: ContentKit = contentKit();

/**
 * JavaScript that defines `contentKit` in another thread (the SQLite write thread). `__name` is a
 * no-op stand-in for the helper some transpilers (tsx, under tests) insert to keep function names.
 */
export const CONTENT_KIT_SOURCE = `const __name = (fn) => fn;\nconst accumulateText = ${accumulateText.toString()};\n`
  + `${JSON_MEMBERS_SOURCE}const contentKit = ${contentKit.toString()};\n`;

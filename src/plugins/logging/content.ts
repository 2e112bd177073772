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
// The derivation is one self-contained factory, `contentKit`: the SQLite write thread evaluates
// its source text (it runs plain JavaScript, not this module), so both sides use the same code.
// It must therefore reference nothing outside its own body but `accumulateText` (a stream's text
// from its chunks, from core), whose source the thread evaluates alongside it.
import { accumulateText, type RequestType } from '../../core/index.js';

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
  function columns(raw: RawContent): ContentColumns {
    let input = raw.input;
    if (raw.request !== undefined) {
      const body = parsed(raw.request);
      input = inputPart(body && typeof body === 'object' ? body as Record<string, unknown> : {});
    }
    const inText = input ? input.text : '';
    if (!raw.ended) return { input_history: input ? input.json : null, output_message: null, content_summary: inText };
    const output = raw.response !== undefined ? outputPart(parsed(raw.response))
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
  + `const contentKit = ${contentKit.toString()};\n`;

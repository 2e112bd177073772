// The mocker's embeddings answer, in OpenAI's shape: one vector per input (a string, a list of
// strings, a token array or a list of them), `dimensions` long when the request sets it. Each
// vector is derived from its input's text, so the same text always gets the same vector and
// different texts different ones — enough for a caller's similarity search to behave plausibly
// offline. `encoding_format: "base64"` (what the official OpenAI SDKs ask for by default) is
// honoured: the vector's float32 little-endian bytes, base64-encoded.
import { createHash } from 'node:crypto';
import type { JsonObject, Usage } from '../../core/index.js';
import type { MockSuccess } from './config.js';

/** OpenAI's text-embedding-3-small and ada-002 length; a request's `dimensions` overrides it. */
const DEFAULT_DIMENSIONS = 1536;
/** Longest vector made: a larger `dimensions` would only let a caller make the gateway allocate. */
const MAX_DIMENSIONS = 8192;

/** One input, one vector: its text (a token array's numbers joined) and its size in tokens. */
interface EmbeddingInput {
  text: string;
  tokens: number;
}

// About four characters a token, as OpenAI's own rule of thumb has it.
const textInput = (text: string): EmbeddingInput => ({ text, tokens: Math.max(1, Math.ceil(text.length / 4)) });
const tokenInput = (tokens: unknown[]): EmbeddingInput => ({ text: tokens.join(' '), tokens: tokens.length });

/** The request's inputs: a string, a list of strings, a token array, or a list of token arrays. */
export function embeddingInputs(input: unknown): EmbeddingInput[] {
  if (typeof input === 'string') return [textInput(input)];
  if (!Array.isArray(input)) return [textInput('')];
  if (input.length > 0 && input.every((item) => typeof item === 'number')) return [tokenInput(input)];
  return input.map((item) => (Array.isArray(item) ? tokenInput(item) : textInput(typeof item === 'string' ? item : JSON.stringify(item) ?? '')));
}

export function dimensionsOf(body: JsonObject): number {
  const asked = body.dimensions;
  return typeof asked === 'number' && Number.isInteger(asked) && asked > 0 ? Math.min(asked, MAX_DIMENSIONS) : DEFAULT_DIMENSIONS;
}

/** A unit vector seeded by the text (sha256 → xorshift32), so it depends on nothing but the text. */
export function vectorFor(text: string, dimensions: number): Float32Array {
  let state = createHash('sha256').update(text).digest().readUInt32LE(0) || 1;
  const out = new Float32Array(dimensions);
  let norm = 0;
  for (let i = 0; i < dimensions; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    const value = state / 0x1_0000_0000 * 2 - 1;
    out[i] = value;
    norm += value * value;
  }
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let i = 0; i < dimensions; i++) out[i] = out[i]! * scale;
  return out;
}

function encode(vector: Float32Array, format: unknown): number[] | string {
  if (format === 'base64') return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64');
  return Array.from(vector);
}

/** A rule's `usage.prompt_tokens` when it sets one; otherwise the inputs' sizes. */
function embeddingUsage(content: MockSuccess, inputs: readonly EmbeddingInput[]): Usage {
  const prompt = content.usage?.prompt_tokens ?? inputs.reduce((sum, input) => sum + input.tokens, 0);
  return { prompt_tokens: prompt, completion_tokens: 0, total_tokens: content.usage?.total_tokens ?? prompt };
}

export function embeddingBody(request: { body: JsonObject }, content: MockSuccess, model: string): { body: JsonObject; usage: Usage } {
  const inputs = embeddingInputs(request.body.input);
  const dimensions = dimensionsOf(request.body);
  const usage = embeddingUsage(content, inputs);
  const data = inputs.map(({ text }, index) => ({ object: 'embedding', index, embedding: encode(vectorFor(text, dimensions), request.body.encoding_format) }));
  return {
    body: { object: 'list', data, model, usage: { prompt_tokens: usage.prompt_tokens, total_tokens: usage.total_tokens } },
    usage,
  };
}

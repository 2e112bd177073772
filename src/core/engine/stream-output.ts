// Reconstructs the streamed text from the raw chunks, for content logging. Runs only when an
// observer reads `RequestSummary.output` (or where the request-log store derives a row's content
// from `outputChunks`), so streams pay for no parsing on the hot path. It references nothing
// outside its own body: the SQLite write thread evaluates its source text.
import type { RequestType } from '../types.js';

type Chunk = { type?: string; delta?: unknown; choices?: Array<{ delta?: { content?: unknown }; text?: unknown }> };

export function accumulateText(requestType: RequestType, chunks: readonly string[]): string {
  let text = '';
  for (const data of chunks) {
    let chunk: Chunk;
    try { chunk = JSON.parse(data) as Chunk; } catch { continue; }
    if (requestType === 'responses') {
      if (chunk.type === 'response.output_text.delta' && typeof chunk.delta === 'string') text += chunk.delta;
      continue;
    }
    const choice = chunk.choices?.[0];
    const piece = requestType === 'text_completion' ? choice?.text : choice?.delta?.content;
    if (typeof piece === 'string') text += piece;
  }
  return text;
}

// Bifrost's `extra_fields` on responses and stream chunks. Stream chunks are forwarded as the
// upstream serialized them; the fields are spliced into the JSON text instead of parsing and
// re-serializing every chunk.
import type { JsonObject, RequestType } from '../types.js';

export interface ExtraFieldsBase {
  requestType: RequestType;
  provider: string;
  /** The model as requested (bare, without the provider prefix). */
  model: string;
}

export function addResponseExtraFields(body: JsonObject, base: ExtraFieldsBase, latencyMs: number): void {
  body.extra_fields = {
    request_type: base.requestType, provider: base.provider, model_requested: base.model, latency: Math.round(latencyMs),
  };
}

/** The constant head of a chunk's extra_fields, computed once per stream. */
export function chunkExtraPrefix(base: ExtraFieldsBase): string {
  return `"extra_fields":{"request_type":${JSON.stringify(base.requestType)},"provider":${JSON.stringify(base.provider)},`
    + `"model_requested":${JSON.stringify(base.model)},"chunk_index":`;
}

/** Inserts extra_fields as the last member of a serialized JSON object. */
export function spliceChunkExtraFields(data: string, prefix: string, index: number, latencyMs: number): string {
  let end = data.length - 1;
  while (end >= 0 && data.charCodeAt(end) !== 125 /* } */) end--;
  if (end < 0) return data; // not an object: forward untouched
  let before = end - 1;
  while (before >= 0 && data.charCodeAt(before) <= 32) before--;
  const comma = data.charCodeAt(before) === 123 /* { */ ? '' : ',';
  return `${data.slice(0, end)}${comma}${prefix}${index},"latency":${Math.round(latencyMs)}}}`;
}

/** A response body's text with extra_fields inserted before its closing brace (`close`). */
export function spliceResponseExtraFields(json: { text: string; close: number; empty: boolean }, base: ExtraFieldsBase,
  latencyMs: number): string {
  const { text, close } = json;
  return `${text.slice(0, close)}${json.empty ? '' : ','}"extra_fields":{"request_type":${JSON.stringify(base.requestType)},`
    + `"provider":${JSON.stringify(base.provider)},"model_requested":${JSON.stringify(base.model)},`
    + `"latency":${Math.round(latencyMs)}}}`;
}

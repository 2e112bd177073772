// The content kit's columns from the texts of a request and its response: the JSON columns are
// sliced out of those texts (the caller's and the provider's bytes), and wherever a text does not
// scan plainly the parse-and-serialize path answers instead, with the same values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { content } from './content.js';

/** Columns from the texts, and from the same request and response parsed (the reference path). */
function both(request: string, response: string): { fromText: Record<string, unknown>; parsed: Record<string, unknown> } {
  const fromText = content.columns({ request, ended: true, response }) as unknown as Record<string, unknown>;
  const input = content.inputPart(JSON.parse(request) as Record<string, unknown>);
  const output = content.outputPart(JSON.parse(response));
  const parsed = { input_history: input.json, output_message: output.json, content_summary: `${input.text}\n${output.text}` };
  return { fromText, parsed };
}

const values = (columns: Record<string, unknown>): unknown => ({
  input: JSON.parse(columns.input_history as string) as unknown,
  output: JSON.parse(columns.output_message as string) as unknown,
  summary: columns.content_summary,
});

test('the JSON columns are the caller\'s and the provider\'s own text, numbers and escapes as sent', () => {
  const request = '{"model":"m", "messages" : [{"role":"user","content":"caf\\u00e9","n":12345678901234567890,"t":1.0}] }';
  const response = '{"choices":[{"index":0,"message":{"role":"assistant","content":"ok"}},{"message":{"content":"2nd"}}]}';
  const { fromText } = both(request, response);
  assert.equal(fromText.input_history, '[{"role":"user","content":"caf\\u00e9","n":12345678901234567890,"t":1.0}]');
  assert.equal(fromText.output_message, '{"role":"assistant","content":"ok"}');
  assert.equal(fromText.content_summary, 'café\nok');
});

test('inputOf and outputOf are followed member by member: null values fall through, as `??` does', () => {
  const cases: [string, string][] = [
    ['{"messages":null,"prompt":["a","b"]}', '{"choices":[{"message":null,"text":"t"}]}'],
    ['{"prompt":null,"input":"in"}', '{"choices":[{"index":0}]}'],
    ['{"model":"m"}', '{"choices":[],"output":[{"type":"message","content":[{"text":"o"}]}]}'],
    ['{"messages":[],"messages":[{"content":"last wins"}]}', '{"choices":["plain"]}'],
    ['{"input":"x"}', '{"choices":{"not":"an array"},"data":[1]}'],
    ['{"input":"x"}', '{"output":null}'],
  ];
  for (const [request, response] of cases) {
    const { fromText, parsed } = both(request, response);
    assert.deepEqual(values(fromText), values(parsed), `${request} → ${response}`);
  }
});

test('texts that do not scan plainly (escaped keys) take the parsed path with the same values', () => {
  // JSON.parse reads the escaped key as the same name, and the last one wins.
  const request = '{"messages":[{"content":"plain key"}],"mes\\u0073ages":[{"content":"escaped key"}]}';
  const response = '{"choices":[{"message":{"content":"plain"},"mess\\u0061ge":{"content":"escaped"}}]}';
  const { fromText, parsed } = both(request, response);
  assert.deepEqual(fromText, parsed);
  assert.equal(fromText.content_summary, 'escaped key\nescaped');
});

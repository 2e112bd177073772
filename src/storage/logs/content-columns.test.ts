// A row's content columns (input_history, output_message, content_summary) are the same whether
// the logging plugin derived them on the main thread from the parsed request and response (the
// path used when their texts are unknown) or the store derived them where it writes the row from
// the caller's JSON text and the forwarded response's text or a stream's chunk texts — in the
// SQLite write thread, and in-process when there is no thread (in-memory SQLite, like PostgreSQL).
// Each case is logged both ways into both kinds of store and the columns compared: the same JSON
// values (from the texts they are the caller's and the provider's own JSON, sliced out) and the
// same summary text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accumulateText, Cancellation, type InferenceRequest, type JsonObject, type RequestSummary, type RequestType } from '../../core/index.js';
import { createLoggingPlugin } from '../../plugins/logging/index.js';
import { openDatabase } from '../database.js';
import { openLogsStore, type LogsStore } from './store.js';

interface Case {
  name: string;
  type: RequestType;
  body: JsonObject;
  /** The forwarded response (a stream's: undefined, see chunks). */
  response: unknown;
  /** A stream's upstream chunks; its output is the text accumulated from them. */
  chunks?: unknown[];
  stream?: boolean;
  /** The request never ends before the rows are written: its processing row is compared. */
  unfinished?: boolean;
}

const long = 'lorem ipsum dolor sit amet, '.repeat(400);
const CASES: Case[] = [
  {
    name: 'chat', type: 'chat_completion',
    body: { model: 'openai/gpt-4o', temperature: 0.2, messages: [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: [{ type: 'text', text: 'what is in this picture? ünïcødé ✓ 🚀' },
        { type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] },
      { role: 'assistant', content: null, tool_calls: [{ id: 't1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] },
      { role: 'tool', tool_call_id: 't1', content: 'tool said "quoted"\nnew line' },
    ] },
    response: { id: 'c1', object: 'chat.completion', created: 1, model: 'gpt-4o', choices: [
      { index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'A cat.', refusal: null } },
      { index: 1, message: { role: 'assistant', content: 'second choice' } },
    ], usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 }, extra_fields: { provider: 'openai' } },
  },
  { name: 'refusal', type: 'chat_completion', body: { model: 'openai/m', messages: [{ role: 'user', content: 'x' }] },
    response: { choices: [{ message: { role: 'assistant', content: null, refusal: 'no' } }] } },
  { name: 'completion', type: 'text_completion', body: { model: 'openai/m', prompt: ['one', 'two'] },
    response: { choices: [{ text: 'three', index: 0 }] } },
  { name: 'embedding', type: 'embedding', body: { model: 'openai/e', input: 'embed me' },
    response: { object: 'list', data: [{ object: 'embedding', embedding: [0.1, -0.25], index: 0 }] } },
  { name: 'responses', type: 'responses', body: { model: 'openai/m', input: [{ role: 'user', content: 'hey' }] },
    response: { id: 'r', output: [{ type: 'message', content: [{ type: 'output_text', text: 'hello back' }] }] } },
  { name: 'over-limit', type: 'chat_completion', body: { model: 'openai/m', messages: [{ role: 'user', content: long }] },
    response: { choices: [{ message: { role: 'assistant', content: long } }] } },
  { name: 'no-choices', type: 'chat_completion', body: { model: 'openai/m', messages: [{ role: 'user', content: 'q' }] },
    response: { choices: [] } },
  { name: 'stream', type: 'chat_completion', stream: true, body: { model: 'openai/m', stream: true, messages: [{ role: 'user', content: 's' }] },
    response: undefined, chunks: [
      { choices: [{ index: 0, delta: { role: 'assistant', content: '' } }] },
      { choices: [{ index: 0, delta: { content: 'streamed "ünï' } }] },
      { choices: [{ index: 0, delta: { content: 'cødé" text\n🚀' } }] },
      { choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
      { choices: [], usage: { prompt_tokens: 1, completion_tokens: 3, total_tokens: 4 } },
    ] },
  { name: 'completion-stream', type: 'text_completion', stream: true, body: { model: 'openai/m', stream: true, prompt: 'p' },
    response: undefined, chunks: [{ choices: [{ text: 'once ' }] }, { choices: [{ text: 'upon' }] }] },
  { name: 'responses-stream', type: 'responses', stream: true, body: { model: 'openai/m', stream: true, input: 'r' },
    response: undefined, chunks: [{ type: 'response.created' }, { type: 'response.output_text.delta', delta: 'a ' },
      { type: 'response.output_text.delta', delta: 'reply' }, { type: 'response.completed' }] },
  { name: 'failed', type: 'chat_completion', body: { model: 'openai/m', messages: [{ role: 'user', content: 'boom' }] },
    response: undefined },
  { name: 'processing', type: 'chat_completion', unfinished: true,
    body: { model: 'openai/m', messages: [{ role: 'user', content: 'still running' }] }, response: undefined },
];

type Mode = 'parsed' | 'text' | 'request-text-only' | 'response-text-only';

/** Logs every case with its texts given or not (`mode`), returns the rows' content columns by case. */
async function logAll(store: LogsStore, mode: Mode): Promise<Map<string, unknown>> {
  const plugin = createLoggingPlugin({ store, flushIntervalMs: 60_000 });
  const withRequestText = mode === 'text' || mode === 'request-text-only';
  const withResponseText = mode === 'text' || mode === 'response-text-only';
  for (const c of CASES) {
    const id = `${mode}:${c.name}`;
    const ctx = { requestId: id, cancellation: new Cancellation(), headers: {}, startedAt: 0, values: new Map() };
    const body = structuredClone(c.body);
    const request: InferenceRequest = { requestType: c.type, target: { provider: 'openai', model: 'm' }, fallbacks: [], body,
      stream: c.stream === true,
      // Formatted differently from what the main-thread path serializes: only the values count.
      ...(withRequestText ? { rawBody: JSON.stringify(c.body, null, 2) } : {}) };
    plugin.observe!({ type: 'request.start', request, ctx });
    if (c.unfinished) continue;
    const responseText = withResponseText && c.response !== undefined ? JSON.stringify(c.response) : undefined;
    const chunkTexts = c.chunks?.map((chunk) => JSON.stringify(chunk));
    const outputChunks = withResponseText ? chunkTexts : undefined;
    const summary = {
      requestId: id, requestType: c.type, stream: c.stream === true, requestedModel: 'openai/m',
      servedBy: undefined, status: c.response === undefined && !c.chunks ? 'error' : 'success', error: undefined, usage: undefined,
      cost: undefined, latencyMs: 3, firstTokenMs: undefined, retries: 0, failedTargets: [], request, ctx,
      outputText: responseText, outputChunks,
      get output(): unknown {
        if (responseText !== undefined || outputChunks !== undefined) throw new Error('the parsed output was read although its text was given');
        // What the engine gives a stream's observers: the text accumulated from its chunks.
        return chunkTexts ? accumulateText(c.type, chunkTexts) : structuredClone(c.response);
      },
    } as RequestSummary;
    plugin.observe!({ type: 'request.end', summary });
  }
  await new Promise((resolve) => setImmediate(resolve));
  assert.ok(await plugin.flush());
  await plugin.close();
  const { logs } = await store.search({ limit: 100, offset: 0, sort_by: 'timestamp', order: 'asc' } as Parameters<LogsStore['search']>[0]);
  const columns = new Map<string, unknown>();
  for (const log of logs.filter((l) => l.id.startsWith(`${mode}:`))) {
    columns.set(log.id.slice(mode.length + 1),
      { input_history: log.input_history, output_message: log.output_message, content_summary: log.content_summary });
  }
  assert.equal(columns.size, CASES.length, `${mode}: one row per case`);
  return columns;
}

/** The columns with their JSON parsed: text- and parse-derived rows hold the same values, not the same bytes. */
function valuesOf(columns: unknown): unknown {
  const { input_history: input, output_message: output, content_summary: summary } = columns as Record<string, string | null>;
  const parse = (text: string | null | undefined): unknown => (typeof text === 'string' ? JSON.parse(text) as unknown : text);
  return { input: parse(input), output: parse(output), summary };
}

async function openStore(t: { after: (fn: () => unknown) => void }, file: boolean): Promise<LogsStore> {
  const dir = mkdtempSync(join(tmpdir(), 'logs-content-'));
  const database = openDatabase({ type: 'sqlite', config: { path: file ? join(dir, 'logs.db') : ':memory:' } });
  t.after(async () => { await database.close(); rmSync(dir, { recursive: true, force: true }); });
  return openLogsStore(database, { retentionDays: () => 0 });
}

for (const [where, file] of [['the SQLite write thread', true], ['in-process at write time', false]] as const) {
  test(`content columns derived from the texts in ${where} equal those derived from the parsed request and response`, async (t) => {
    const store = await openStore(t, file);
    const parsed = await logAll(store, 'parsed');
    // The main-thread path's values, spelled out for one case, so both sides cannot drift together.
    assert.deepEqual(parsed.get('chat'), {
      input_history: JSON.stringify(CASES[0]!.body.messages),
      output_message: '{"role":"assistant","content":"A cat.","refusal":null}',
      content_summary: 'You are terse.\nwhat is in this picture? ünïcødé ✓ 🚀\ntool said "quoted"\nnew line\nA cat.',
    });
    assert.deepEqual(parsed.get('processing'), { input_history: '[{"role":"user","content":"still running"}]', output_message: null,
      content_summary: 'still running' });
    assert.equal((parsed.get('over-limit') as { content_summary: string }).content_summary.length, 8192);
    assert.deepEqual(parsed.get('stream'), { input_history: '[{"role":"user","content":"s"}]',
      output_message: JSON.stringify('streamed "ünïcødé" text\n🚀'), content_summary: 's\nstreamed "ünïcødé" text\n🚀' });
    assert.equal((parsed.get('completion-stream') as { output_message: string }).output_message, '"once upon"');
    assert.equal((parsed.get('responses-stream') as { output_message: string }).output_message, '"a reply"');
    const fromText = new Map<Mode, Map<string, unknown>>();
    for (const mode of ['text', 'request-text-only', 'response-text-only'] as const) {
      const derived = await logAll(store, mode);
      fromText.set(mode, derived);
      for (const c of CASES) assert.deepEqual(valuesOf(derived.get(c.name)), valuesOf(parsed.get(c.name)), `${mode}: ${c.name}`);
    }
    // From the texts, the JSON columns are the caller's and the provider's own, as sent.
    const text = fromText.get('text')!;
    assert.equal((text.get('chat') as { input_history: string }).input_history,
      JSON.stringify(CASES[0]!.body.messages, null, 2).replaceAll('\n', '\n  '));
    assert.equal((text.get('refusal') as { output_message: string }).output_message, '{"role":"assistant","content":null,"refusal":"no"}');
  });
}

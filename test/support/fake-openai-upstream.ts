// A fake OpenAI API for tests: a node:http server on 127.0.0.1:0 speaking OpenAI's public wire
// format (chat/text completions with SSE, embeddings incl. base64, responses with `event:` SSE,
// model list). Tests program it with `behave(rule)` (fail N requests, delay headers, hang until the
// client gives up, shape streams) and inspect `requests` to see exactly what the gateway forwarded:
// path, headers (Authorization tells which key was used), parsed body, and whether the client aborted.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  answerText, chatCompletion, embeddings, responseObject, responsesUsage, textCompletion, toolCall, usageFor,
} from './fake-openai-bodies.js';

export interface RecordedRequest {
  method: string;
  /** Path without query, e.g. `/v1/chat/completions`. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The bearer token sent, without `Bearer ` (undefined when absent). */
  apiKey: string | undefined;
  /** Parsed JSON body (undefined for GET or unparsable bodies). */
  body: Record<string, unknown> | undefined;
  rawBody: string;
  /** True once the client closed the connection before the response was complete. */
  aborted: boolean;
  /** Resolves when the exchange is over (response finished or client went away). */
  done: Promise<void>;
}

/** One programmed behaviour; consumed by the next `times` matching requests (first rule wins). */
export interface BehaviourRule {
  /** Requests this rule applies to (default 1; Infinity = until reset). */
  times?: number;
  /** Only requests to this path, e.g. `/v1/chat/completions`. */
  path?: string;
  /** Only requests authenticated with this key. */
  apiKey?: string;
  /** Only requests whose body.model equals this. */
  model?: string;
  /** Answer with this status and an OpenAI error body. */
  status?: number;
  message?: string;
  errorType?: string;
  errorCode?: string;
  /** Extra response headers; 429 gets OpenAI's rate-limit headers by default. */
  headers?: Record<string, string>;
  /** Answer with exactly this JSON (status 200 unless `status` is set). */
  body?: unknown;
  /** Wait this long before sending headers (ends early if the client aborts). */
  delayMs?: number;
  /** Never answer; the request is recorded as aborted when the client goes away. */
  hang?: boolean;
  /** Streams: number of content chunks and the pause between them. */
  chunks?: number;
  chunkDelayMs?: number;
  /** Streams: destroy the connection after this many content chunks. */
  breakAfterChunks?: number;
}

export interface FakeOpenAIOptions {
  /** Default content chunks per stream (default 3). */
  chunks?: number;
  /** Default pause between stream chunks in ms (default 0). */
  chunkDelayMs?: number;
  /** Model ids served by GET /v1/models. */
  models?: string[];
  /** Embedding dimensions (default 8). */
  dimensions?: number;
}

export interface FakeOpenAI {
  /** Base URL including `/v1`. */
  url: string;
  /** Origin without `/v1`. */
  origin: string;
  requests: RecordedRequest[];
  behave(rule: BehaviourRule): void;
  /** Shorthand: the next `times` requests fail with `status`. */
  failNext(times: number, status: number, rule?: BehaviourRule): void;
  /** Clears rules and recorded requests. */
  reset(): void;
  close(): Promise<void>;
}

interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  rec: RecordedRequest;
  rule: BehaviourRule | undefined;
  chunks: number;
  chunkDelayMs: number;
  closed: () => boolean;
}

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error', 401: 'invalid_request_error', 403: 'permission_denied', 404: 'invalid_request_error',
  429: 'rate_limit_exceeded', 500: 'server_error', 502: 'server_error', 503: 'server_error', 504: 'server_error',
};

export async function startFakeOpenAI(opts: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  const rules: Array<BehaviourRule & { left: number }> = [];
  const requests: RecordedRequest[] = [];
  const sockets = new Set<import('node:net').Socket>();
  let seq = 0;

  const takeRule = (rec: RecordedRequest): BehaviourRule | undefined => {
    const i = rules.findIndex((r) => (r.path === undefined || r.path === rec.path)
      && (r.apiKey === undefined || r.apiKey === rec.apiKey)
      && (r.model === undefined || r.model === rec.body?.model));
    const rule = rules[i];
    if (!rule) return undefined;
    if (--rule.left <= 0) rules.splice(i, 1);
    return rule;
  };

  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(parts).toString('utf8');
      let body: Record<string, unknown> | undefined;
      try { body = rawBody ? JSON.parse(rawBody) as Record<string, unknown> : undefined; } catch { body = undefined; }
      const auth = req.headers.authorization;
      let finish!: () => void;
      const rec: RecordedRequest = {
        method: req.method ?? 'GET', path: (req.url ?? '/').split('?')[0] ?? '/', headers: { ...req.headers },
        apiKey: auth?.startsWith('Bearer ') ? auth.slice(7) : undefined, body, rawBody, aborted: false,
        done: new Promise<void>((r) => { finish = r; }),
      };
      requests.push(rec);
      res.on('close', () => { if (!res.writableFinished) rec.aborted = true; finish(); });
      const rule = takeRule(rec);
      const ex: Exchange = {
        req, res, rec, rule, chunks: rule?.chunks ?? opts.chunks ?? 3,
        chunkDelayMs: rule?.chunkDelayMs ?? opts.chunkDelayMs ?? 0, closed: () => res.destroyed || rec.aborted,
      };
      void respond(ex, () => `${++seq}`).catch(() => res.destroy());
    });
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });

  const respond = async (ex: Exchange, nextId: () => string): Promise<void> => {
    const { rule, res, rec } = ex;
    if (rule?.hang) return;
    if (rule?.delayMs) await pause(rule.delayMs, ex);
    if (ex.closed()) return;
    if (rule?.status !== undefined && rule.status >= 400) return sendError(ex, rule.status, rule.message);
    if (rule?.body !== undefined) return sendJson(res, rule.status ?? 200, rule.body, rule.headers);
    const id = nextId();
    const b = rec.body ?? {};
    switch (`${rec.method} ${rec.path}`) {
      case 'GET /v1/models': return sendJson(res, 200, {
        object: 'list',
        data: (opts.models ?? ['gpt-4o-mini', 'gpt-4o']).map((m) => ({ id: m, object: 'model', created: 1700000000, owned_by: 'fake' })),
      });
      case 'POST /v1/chat/completions': return b.stream === true ? streamCompletion(ex, id, true) : sendJson(res, 200, chatCompletion(b, id));
      case 'POST /v1/completions': return b.stream === true ? streamCompletion(ex, id, false) : sendJson(res, 200, textCompletion(b, id));
      case 'POST /v1/embeddings': return sendJson(res, 200, embeddings(b, opts.dimensions ?? 8));
      case 'POST /v1/responses': return b.stream === true ? streamResponses(ex, id) : sendJson(res, 200, responseObject(b, id, 'completed'));
      default: return sendError(ex, 404, `Invalid URL (${rec.method} ${rec.path})`);
    }
  };

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/v1`, origin, requests,
    behave: (rule) => { rules.push({ ...rule, left: rule.times ?? 1 }); },
    failNext: (times, status, rule) => { rules.push({ ...rule, times, status, left: times }); },
    reset: () => { rules.length = 0; requests.length = 0; },
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

function pause(ms: number, ex: Exchange): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    ex.res.once('close', () => { clearTimeout(t); resolve(); });
  });
}

function sendJson(res: ServerResponse, status: number, value: unknown, headers?: Record<string, string>): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function sendError(ex: Exchange, status: number, message?: string): void {
  const rule = ex.rule;
  const headers: Record<string, string> = status === 429
    ? { 'retry-after': '1', 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '1s', ...rule?.headers }
    : { ...rule?.headers };
  sendJson(ex.res, status, {
    error: {
      message: message ?? (status === 429 ? 'Rate limit reached for requests' : `fake upstream error ${status}`),
      type: rule?.errorType ?? ERROR_TYPES[status] ?? 'api_error', param: null, code: rule?.errorCode ?? null,
    },
  }, headers);
}

/** Words of the last user message: what the fake "model" echoes back. */

type SseEvent = { event?: string; data: unknown };

/** Writes an SSE stream: head events, `chunks` content events (each its own write, paced by
 * `chunkDelayMs`), then the tail (built after the content so sequence numbers stay ordered). */
async function sse(ex: Exchange, head: SseEvent[], content: (i: number) => SseEvent,
  tail: () => SseEvent[], done: boolean): Promise<void> {
  ex.res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const write = (e: SseEvent): void => {
    ex.res.write(`${e.event ? `event: ${e.event}\n` : ''}data: ${JSON.stringify(e.data)}\n\n`);
  };
  head.forEach(write);
  for (let i = 0; i < ex.chunks; i++) {
    if (ex.rule?.breakAfterChunks === i) {
      // Let what was written reach the client first, so the break happens mid-stream.
      await new Promise<void>((resolve) => ex.res.write(': bye\n\n', () => setTimeout(resolve, 20)));
      ex.res.destroy();
      return;
    }
    if (i > 0 && ex.chunkDelayMs > 0) await pause(ex.chunkDelayMs, ex);
    if (ex.closed()) return;
    write(content(i));
  }
  if (ex.chunkDelayMs > 0) await pause(ex.chunkDelayMs, ex);
  if (ex.closed()) return;
  tail().forEach(write);
  ex.res.end(done ? 'data: [DONE]\n\n' : undefined);
}

/** Chat and text completion streams: same framing, different chunk objects. */
function streamCompletion(ex: Exchange, id: string, chat: boolean): Promise<void> {
  const b = ex.rec.body ?? {};
  const base = chat
    ? { id: `chatcmpl-fake${id}`, object: 'chat.completion.chunk', created: 1700000000, model: b.model, system_fingerprint: 'fp_fake' }
    : { id: `cmpl-fake${id}`, object: 'text_completion', created: 1700000000, model: b.model };
  const call = chat ? toolCall(b) : undefined;
  const chunk = (delta: Record<string, unknown>, finish: string | null): SseEvent => ({
    data: { ...base, choices: [chat ? { index: 0, delta, logprobs: null, finish_reason: finish }
      : { text: delta.content ?? '', index: 0, logprobs: null, finish_reason: finish }] },
  });
  const text = answerText(b);
  const head = chat ? [chunk({ role: 'assistant', content: '' }, null)] : [];
  if (call) { head.push(chunk({ tool_calls: [{ index: 0, ...call }] }, null)); ex.chunks = 0; }
  return sse(ex, head, (i) => chunk({ content: i === 0 ? text : ` tok${i}` }, null), () => {
    const tail = [chunk({}, call ? 'tool_calls' : 'stop')];
    const wantsUsage = (b.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
    if (wantsUsage) tail.push({ data: { ...base, choices: [], usage: usageFor(b, ex.chunks) } });
    return tail;
  }, true);
}

function streamResponses(ex: Exchange, id: string): Promise<void> {
  const b = ex.rec.body ?? {};
  let n = 0;
  const ev = (type: string, extra: Record<string, unknown>): SseEvent =>
    ({ event: type, data: { type, sequence_number: n++, ...extra } });
  const itemId = `msg_fake${id}`;
  const text = answerText(b);
  const full = [text, ...Array.from({ length: Math.max(0, ex.chunks - 1) }, (_, i) => ` tok${i + 1}`)].join('');
  const part = { type: 'output_text', text: '', annotations: [] };
  const item = { type: 'message', id: itemId, status: 'in_progress', role: 'assistant', content: [] };
  const loc = { item_id: itemId, output_index: 0, content_index: 0 };
  const head = [
    ev('response.created', { response: responseObject(b, id, 'in_progress') }),
    ev('response.in_progress', { response: responseObject(b, id, 'in_progress') }),
    ev('response.output_item.added', { output_index: 0, item }),
    ev('response.content_part.added', { ...loc, part }),
  ];
  const content = (i: number): SseEvent => ev('response.output_text.delta', { ...loc, delta: i === 0 ? text : ` tok${i}` });
  return sse(ex, head, content, () => {
    const doneItem = { ...item, status: 'completed', content: [{ ...part, text: full }] };
    const usage = responsesUsage(b, ex.chunks);
    return [
      ev('response.output_text.done', { ...loc, text: full }),
      ev('response.content_part.done', { ...loc, part: { ...part, text: full } }),
      ev('response.output_item.done', { output_index: 0, item: doneItem }),
      ev('response.completed', { response: { ...responseObject(b, id, 'completed'), output: [doneItem], usage } }),
    ];
  }, false);
}

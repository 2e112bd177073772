// The benchmark's upstream: a fast OpenAI-shaped mock on node:http with keep-alive. Any POST whose
// path ends in `/chat/completions` gets either a realistic chat.completion JSON (~1.4 KB, the size
// Bifrost's own benchmark reports) or, when the body asks for `"stream": true`, an SSE stream of
// `chunk_count` chat.completion.chunk events flushed one by one with a fixed gap, a usage chunk when
// `stream_options.include_usage` was asked for, then `data: [DONE]`. Everything sent is built once
// at start so the mock costs as little CPU as possible; it only scans the body for two flags
// instead of parsing it. Run as a process: `node bench/mock-upstream.mjs --port 0 --latency-ms 0
// --chunk-gap-ms 1 --chunks 20`; it prints one JSON line `{"port":N}` once it listens.
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const MODEL = 'gpt-4o-mini-2024-07-18';
const WORDS = ('The quick brown fox jumps over the lazy dog while a careful gateway forwards every token '
  + 'without adding measurable latency to the stream ').split(' ');

/** A content string of about `chars` characters made of plain words. */
function prose(chars) {
  let out = '';
  for (let i = 0; out.length < chars; i++) out += `${WORDS[i % WORDS.length]} `;
  return out.trim();
}

function completionBody(created) {
  const content = prose(900);
  return Buffer.from(JSON.stringify({
    id: 'chatcmpl-bench0000000000000000000000',
    object: 'chat.completion',
    created,
    model: MODEL,
    choices: [{
      index: 0,
      message: { role: 'assistant', content, refusal: null, annotations: [] },
      logprobs: null,
      finish_reason: 'stop',
    }],
    usage: {
      prompt_tokens: 64,
      completion_tokens: 192,
      total_tokens: 256,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    },
    service_tier: 'default',
    system_fingerprint: 'fp_bench000',
  }));
}

/** One SSE event; content chunks carry one choice, the usage chunk carries none (as OpenAI sends). */
function chunkEvent(created, fields) {
  const chunk = {
    id: 'chatcmpl-bench0000000000000000000000',
    object: 'chat.completion.chunk',
    created,
    model: MODEL,
    service_tier: 'default',
    system_fingerprint: 'fp_bench000',
    ...fields,
  };
  return Buffer.from(`data: ${JSON.stringify(chunk)}\n\n`);
}

function contentEvent(created, delta, finishReason) {
  return chunkEvent(created, { choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }] });
}

/** The `count` events of one stream: role first, content words, a final `finish_reason: stop`. */
function streamEvents(created, count) {
  const events = [contentEvent(created, { role: 'assistant', content: '', refusal: null }, null)];
  for (let i = 1; i < count - 1; i++) events.push(contentEvent(created, { content: `${WORDS[i % WORDS.length]} ` }, null));
  events.push(contentEvent(created, {}, 'stop'));
  return events;
}

const FLAG_STREAM = /"stream"\s*:\s*true/;
const FLAG_USAGE = /"include_usage"\s*:\s*true/;

/**
 * Starts the mock. Options: port (0), host (127.0.0.1), latencyMs (fixed delay before the
 * response headers, 0), chunkGapMs (pause between SSE events, 1), chunks (events per stream, 20).
 * Resolves to `{ port, close() }`.
 */
export async function startMockUpstream(options = {}) {
  const latencyMs = options.latencyMs ?? 0;
  const gapMs = options.chunkGapMs ?? 1;
  const created = Math.floor(Date.now() / 1000);
  const body = completionBody(created);
  const events = streamEvents(created, Math.max(2, options.chunks ?? 20));
  const usageEvent = chunkEvent(created, { choices: [], usage: { prompt_tokens: 64, completion_tokens: 18, total_tokens: 82 } });
  const done = Buffer.from('data: [DONE]\n\n');
  const jsonHeaders = { 'content-type': 'application/json', 'content-length': String(body.length), 'openai-processing-ms': '1' };
  const sseHeaders = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' };
  const notFound = Buffer.from(JSON.stringify({ error: { message: 'not found', type: 'invalid_request_error', param: null, code: null } }));

  function stream(res, withUsage) {
    res.writeHead(200, sseHeaders);
    let next = 0;
    const tick = () => {
      if (res.destroyed) return;
      if (next < events.length) {
        res.write(events[next++]);
        // A gap of 0 still yields to the loop so every event is its own write and flush.
        if (gapMs > 0) setTimeout(tick, gapMs); else setImmediate(tick);
        return;
      }
      if (withUsage) res.write(usageEvent);
      res.end(done);
    };
    tick();
  }

  function answer(req, res, text) {
    if (!req.url.endsWith('/chat/completions')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(notFound);
      return;
    }
    if (FLAG_STREAM.test(text)) stream(res, FLAG_USAGE.test(text));
    else res.writeHead(200, jsonHeaders).end(body);
  }

  const server = createServer({ keepAliveTimeout: 60_000, requestTimeout: 0 }, (req, res) => {
    const parts = [];
    req.on('data', (part) => parts.push(part));
    req.on('end', () => {
      const text = parts.length === 1 ? parts[0].toString('latin1') : Buffer.concat(parts).toString('latin1');
      if (latencyMs > 0) setTimeout(() => answer(req, res, text), latencyMs);
      else answer(req, res, text);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 65_000;
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  return {
    port: server.address().port,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      'latency-ms': { type: 'string', default: '0' },
      'chunk-gap-ms': { type: 'string', default: '1' },
      chunks: { type: 'string', default: '20' },
    },
  });
  const mock = await startMockUpstream({
    port: Number(values.port),
    host: values.host,
    latencyMs: Number(values['latency-ms']),
    chunkGapMs: Number(values['chunk-gap-ms']),
    chunks: Number(values.chunks),
  });
  process.stdout.write(`${JSON.stringify({ port: mock.port })}\n`);
  const stop = () => mock.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();

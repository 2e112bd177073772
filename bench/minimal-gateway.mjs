// A reference point between the pass-through and the gateway: the least work any gateway that
// speaks Bifrost's protocol must do per request, written as directly as node:http and undici allow.
// It parses the caller's JSON (400 if it is not), splits `provider/model`, forwards a copy of the
// body with the bare model and without `fallbacks`, and answers with Bifrost's `x-bifrost-*`
// headers and `extra_fields` spliced into the upstream's JSON (per event for SSE). It has one
// hard-wired provider and key, and no retries, fallbacks, queue, timeouts, plugins or config; like
// the pass-through, it only aborts an upstream stream whose caller left. The gap between it and the
// pass-through is the protocol's own cost, the gap between it and the gateway is what the
// gateway's features and structure cost. Not a product; never import it from src/. Run as a
// process: `node bench/minimal-gateway.mjs --upstream http://127.0.0.1:P`; it prints one JSON line
// `{"port":N}` once it listens.
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { runProxyProcess, serveProxy } from './lib/proxy-cli.mjs';

const PROVIDER = 'openai';
const KEY = { name: 'bench-key', value: 'sk-bench-upstream-key' };

function fail(res, status, message) {
  const body = JSON.stringify({ is_bifrost_error: true, status_code: status, error: { type: 'invalid_request_error', message } });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
}

/** The routed-identity headers the gateway sends, so both answer with the same bytes on the wire. */
function bifrostHeaders(call, contentType) {
  return {
    'x-bifrost-request-id': call.id,
    'x-bifrost-request-type': 'chat_completion',
    'x-bifrost-provider': PROVIDER,
    'x-bifrost-original-model': call.model,
    'x-bifrost-resolved-model': call.model,
    'x-bifrost-upstream-latency-ms': (performance.now() - call.started).toFixed(3),
    'x-bifrost-routing-info-provider': PROVIDER,
    'x-bifrost-routing-info-model': call.model,
    'x-bifrost-routing-info-key': KEY.name,
    'content-type': contentType,
  };
}

/** `text` is one JSON object; returns it with Bifrost's extra_fields as its last member. */
function withExtraFields(text, call, chunkIndex) {
  const chunk = chunkIndex === undefined ? '' : `,"chunk_index":${chunkIndex}`;
  const latency = Math.round(performance.now() - call.started);
  const head = text.slice(0, text.lastIndexOf('}')).trimEnd();
  return `${head}${head.endsWith('{') ? '' : ','}"extra_fields":{"request_type":"chat_completion","provider":"${PROVIDER}",`
    + `"model_requested":${JSON.stringify(call.model)}${chunk},"latency":${latency}}}`;
}

/** undici dispatch handler for a whole JSON answer. */
class JsonAnswer {
  constructor(res, call) { this.res = res; this.call = call; this.chunks = []; this.status = 0; }
  onRequestStart() {}
  onResponseStart(_controller, status) { this.status = status; }
  onResponseData(_controller, chunk) { this.chunks.push(chunk); }
  onResponseEnd() {
    const text = (this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks)).toString('utf8');
    const body = withExtraFields(text, this.call);
    const headers = bifrostHeaders(this.call, 'application/json');
    headers['content-length'] = String(Buffer.byteLength(body));
    this.res.writeHead(this.status, headers).end(body);
  }
  onResponseError(_controller, error) { fail(this.res, 502, String(error?.message)); }
}

/** undici dispatch handler for an SSE answer: one `data:` event out per event in, as it arrives. */
class EventStreamAnswer {
  constructor(res, call) { this.res = res; this.call = call; this.pending = ''; this.index = 0; }
  onRequestStart() {}
  onResponseStart(controller, status) {
    this.res.writeHead(status, bifrostHeaders(this.call, 'text/event-stream'));
    this.res.on('drain', () => controller.resume());
    // A caller gone mid-stream would leave this upstream connection paused, and the pool drained.
    this.res.on('close', () => { if (!this.res.writableFinished) controller.abort(new Error('client went away')); });
  }
  onResponseData(controller, chunk) {
    const text = this.pending + chunk.toString('utf8');
    let out = '';
    let start = 0;
    for (let end = text.indexOf('\n\n'); end >= 0; start = end + 2, end = text.indexOf('\n\n', start)) {
      const event = text.slice(start, end);
      if (!event.startsWith('data: ')) continue;
      const data = event.slice(6);
      out += data === '[DONE]' ? 'data: [DONE]\n\n' : `data: ${withExtraFields(data, this.call, this.index++)}\n\n`;
    }
    this.pending = text.slice(start);
    if (out !== '' && !this.res.write(out)) controller.pause();
  }
  onResponseEnd() { this.res.end(); }
  onResponseError() { this.res.destroy(); }
}

/** Starts the minimal gateway. Options: upstream (origin URL), port (0), host (127.0.0.1). */
export async function startMinimalGateway(options) {
  const pool = new Pool(options.upstream, { connections: 256, keepAliveTimeout: 60_000, pipelining: 1 });
  const server = createServer({ keepAliveTimeout: 60_000, requestTimeout: 0 }, (req, res) => {
    const parts = [];
    req.on('data', (part) => parts.push(part));
    req.on('end', () => {
      let body;
      try {
        body = JSON.parse((parts.length === 1 ? parts[0] : Buffer.concat(parts)).toString('utf8'));
      } catch (error) {
        fail(res, 400, `invalid JSON in request body: ${error.message}`);
        return;
      }
      const model = body?.model;
      const slash = typeof model === 'string' ? model.indexOf('/') : -1;
      if (slash < 1 || model.slice(0, slash) !== PROVIDER) {
        fail(res, 400, `model must be "${PROVIDER}/<model>"`);
        return;
      }
      const call = { id: randomUUID(), model: model.slice(slash + 1), started: performance.now() };
      const upstreamBody = { model: call.model };
      for (const name in body) if (name !== 'model' && name !== 'fallbacks') upstreamBody[name] = body[name];
      const stream = body.stream === true;
      const headers = { 'content-type': 'application/json', authorization: `Bearer ${KEY.value}` };
      if (stream) headers.accept = 'text/event-stream';
      pool.dispatch({ method: 'POST', path: req.url, headers, body: JSON.stringify(upstreamBody) },
        stream ? new EventStreamAnswer(res, call) : new JsonAnswer(res, call));
    });
  });
  return serveProxy(server, pool, options);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await runProxyProcess('minimal-gateway', startMinimalGateway);

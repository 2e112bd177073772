// The baseline every gateway figure is compared with: a bare node:http server that forwards each
// request to the upstream through one keep-alive undici Pool and pipes the response back, doing
// no more than a proxy must (copy method, path, body and the few headers that matter; stream the
// answer chunk by chunk as it arrives so SSE events are flushed one by one). It never parses JSON. Run as a
// process: `node bench/passthrough.mjs --upstream http://127.0.0.1:P --port 0`; it prints one JSON
// line `{"port":N}` once it listens.
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { runProxyProcess, serveProxy } from './lib/proxy-cli.mjs';

/** Request headers a forward proxy passes on; hop-by-hop ones (connection, host...) stay behind. */
const FORWARDED = ['content-type', 'authorization', 'accept'];

function badGateway(res, error) {
  if (res.headersSent) { res.destroy(); return; }
  res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: String(error?.message) } }));
}

/**
 * undici's dispatch handler writing straight into the node:http response: the least a proxy can
 * do per chunk (no Readable in between), with backpressure from the client's socket.
 */
function responseHandler(res) {
  return {
    onRequestStart() {},
    onResponseStart(controller, statusCode, headers) {
      const out = {};
      if (headers['content-type'] !== undefined) out['content-type'] = headers['content-type'];
      if (headers['content-length'] !== undefined) out['content-length'] = headers['content-length'];
      res.writeHead(statusCode, out);
      res.on('drain', () => controller.resume());
      res.on('close', () => { if (!res.writableFinished) controller.abort(new Error('client went away')); });
    },
    onResponseData(controller, chunk) {
      if (!res.write(chunk)) controller.pause();
    },
    onResponseEnd() {
      res.end();
    },
    onResponseError(_controller, error) {
      badGateway(res, error);
    },
  };
}

/**
 * Starts the pass-through. Options: upstream (origin URL, required), port (0), host (127.0.0.1),
 * connections (pool size, 256). Resolves to `{ port, close() }`.
 */
export async function startPassthrough(options) {
  const pool = new Pool(options.upstream, {
    connections: options.connections ?? 256,
    keepAliveTimeout: 60_000,
    pipelining: 1,
  });
  const server = createServer({ keepAliveTimeout: 60_000, requestTimeout: 0 }, (req, res) => {
    const headers = {};
    for (const name of FORWARDED) {
      const value = req.headers[name];
      if (value !== undefined) headers[name] = value;
    }
    // Request bodies are small; gathering them lets undici send one buffer with its length.
    const parts = [];
    req.on('data', (part) => parts.push(part));
    req.on('end', () => {
      const body = parts.length === 0 ? null : parts.length === 1 ? parts[0] : Buffer.concat(parts);
      pool.dispatch({ method: req.method, path: req.url, headers, body }, responseHandler(res));
    });
  });
  server.keepAliveTimeout = 60_000;
  return serveProxy(server, pool, options);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await runProxyProcess('passthrough', startPassthrough);

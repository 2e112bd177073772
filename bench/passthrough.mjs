// The baseline every gateway figure is compared with: a bare node:http server that forwards each
// request to the upstream through one keep-alive undici Pool and pipes the response back, doing
// no more than a proxy must (copy method, path, body and the few headers that matter; stream the
// answer as it arrives so SSE events are flushed one by one). It never parses JSON. Run as a
// process: `node bench/passthrough.mjs --upstream http://127.0.0.1:P --port 0`; it prints one JSON
// line `{"port":N}` once it listens.
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { pipeline } from 'node:stream';
import { Pool } from 'undici';

/** Request headers a forward proxy passes on; hop-by-hop ones (connection, host...) stay behind. */
const FORWARDED = ['content-type', 'authorization', 'accept'];

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
    const length = req.headers['content-length'];
    if (length !== undefined) headers['content-length'] = length;
    pool.request({ method: req.method, path: req.url, headers, body: req.method === 'GET' ? null : req })
      .then((upstream) => {
        const out = {};
        const type = upstream.headers['content-type'];
        if (type !== undefined) out['content-type'] = type;
        const size = upstream.headers['content-length'];
        if (size !== undefined) out['content-length'] = size;
        res.writeHead(upstream.statusCode, out);
        pipeline(upstream.body, res, () => undefined);
      })
      .catch((error) => {
        if (res.headersSent) { res.destroy(); return; }
        res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: String(error.message) } }));
      });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  return {
    port: server.address().port,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve()));
      await pool.close();
    },
  };
}

async function main() {
  const { values } = parseArgs({
    options: {
      upstream: { type: 'string' },
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
    },
  });
  if (!values.upstream) {
    process.stderr.write('passthrough: --upstream http://host:port is required\n');
    process.exit(2);
  }
  const proxy = await startPassthrough({ upstream: values.upstream, port: Number(values.port), host: values.host });
  process.stdout.write(`${JSON.stringify({ port: proxy.port })}\n`);
  const stop = () => proxy.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();

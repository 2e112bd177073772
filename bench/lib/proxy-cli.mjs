// What the reference proxies (passthrough.mjs, minimal-gateway.mjs) share: listening and closing
// (`serveProxy`), and the command line that parses --upstream/--port/--host, starts the proxy,
// prints `{"port":N}` once it listens, and closes it on SIGTERM or SIGINT (`runProxyProcess`).
import { parseArgs } from 'node:util';

export async function runProxyProcess(name, start) {
  const { values } = parseArgs({
    options: {
      upstream: { type: 'string' },
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
    },
  });
  if (!values.upstream) {
    process.stderr.write(`${name}: --upstream http://host:port is required\n`);
    process.exit(2);
  }
  const proxy = await start({ upstream: values.upstream, port: Number(values.port), host: values.host });
  process.stdout.write(`${JSON.stringify({ port: proxy.port })}\n`);
  const stop = () => proxy.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

/** Listens as options say (port 0, host 127.0.0.1); `close()` cuts callers, then the upstream pool. */
export async function serveProxy(server, pool, options) {
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  return {
    port: server.address().port,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve()));
      await pool.destroy(); // callers are gone: nothing in flight is worth waiting for
    },
  };
}

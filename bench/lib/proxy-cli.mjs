// The command line shared by the reference proxies (passthrough.mjs, minimal-gateway.mjs): parses
// --upstream/--port/--host, starts the proxy, prints `{"port":N}` once it listens, and closes it on
// SIGTERM or SIGINT.
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

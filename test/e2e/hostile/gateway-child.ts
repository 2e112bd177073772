// The gateway under attack, in a process of its own so the hostile suite can tell "the process
// stayed up" and read its sockets and RSS from /proc. Started by hostile-input.test.ts as
// `node --expose-gc --import tsx gateway-child.ts <upstream origin> <app dir>`; prints `READY <port>`
// once listening, and runs a full GC when a `gc` line arrives on stdin (answering `GC`), so RSS is
// compared after garbage, not before it.
import { createInterface } from 'node:readline';
import { parseConfig } from '../../../src/config/index.js';
import { createLogger } from '../../../src/logging/index.js';
import { startGateway } from '../../../src/main.js';
import { installProcessGuard } from '../../../src/wiring/process-guard.js';
import { HOSTILE_ENV, hostileConfig } from './target.js';

const [origin, appDir] = process.argv.slice(2) as [string, string];
const logger = createLogger({ level: 'error', style: 'json' });
const guard = installProcessGuard(logger);
const gw = await startGateway({
  port: 0, host: '127.0.0.1', loaded: parseConfig(hostileConfig(origin, appDir), { env: HOSTILE_ENV, source: 'hostile config' }),
  env: HOSTILE_ENV, logger, shutdownGraceMs: 2_000, bodyIdleTimeoutMs: 500,
});
process.stdout.write(`READY ${gw.port}\n`);
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'gc') {
    (globalThis as { gc?: () => void }).gc?.();
    process.stdout.write(`GC escaped=${guard.escaped}\n`);
  }
});
process.stdin.on('end', () => void gw.close().then(() => process.exit(0)));

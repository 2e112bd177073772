#!/usr/bin/env node
// The `bifrost` command: parses Bifrost's flags, starts the gateway, and shuts it down gracefully on
// SIGINT/SIGTERM (a second signal cuts what still runs, a third exits at once). Invalid flags or config end the process with
// exit code 1 (2 for usage errors) and a message listing every problem, never a stack trace.
// `bifrost gossip-agent …` runs the standalone memberlist agent instead (see cli-gossip-agent.ts).
// The gateway's modules are imported inside run(), so `gossip-agent` never loads gateway code.
import { mkdir } from 'node:fs/promises';

async function run(argv: readonly string[]): Promise<void> {
  const [{ ConfigError, parseServerFlags, processEnv, USAGE, UsageError }, { createLogger }, { startGateway }, { installProcessGuard }] = await Promise.all([
    import('./config/index.js'), import('./logging/index.js'), import('./main.js'), import('./wiring/process-guard.js'),
  ]);
  const env = processEnv();
  let flags;
  try {
    flags = parseServerFlags(argv, env);
  } catch (error) {
    process.stderr.write(`bifrost: ${(error as Error).message}\n`);
    process.exit(error instanceof UsageError ? 2 : 1);
  }
  if (flags.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const logger = createLogger({ level: flags.logLevel, style: flags.logStyle });
  installProcessGuard(logger);
  let running;
  try {
    // Bifrost creates its app dir on first start; the stores put config.db / logs.db there. Only its
    // owner may read it: it holds the stores, which may hold keys.
    await mkdir(flags.appDir, { recursive: true, mode: 0o700 });
    running = await startGateway({
      port: flags.port, host: flags.host, appDir: flags.appDir, env, logger,
      drainDelayMs: flags.drainDelaySeconds * 1000, shutdownGraceMs: flags.shutdownTimeoutSeconds * 1000,
    });
  } catch (error) {
    const message = error instanceof ConfigError || error instanceof Error ? error.message : String(error);
    process.stderr.write(`bifrost: ${message}\n`);
    process.exit(1);
  }
  const gateway = running;
  // First signal: the shutdown sequence (wiring/shutdown.ts); exit 0 if nothing had to be cut.
  // Second: cut what still runs, then finish flushing. Third: exit at once.
  let signals = 0;
  const stop = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals === 2) {
      process.stderr.write(`bifrost: ${signal} again: cutting what still runs (once more exits at once)\n`);
      gateway.cut();
      return;
    }
    if (signals > 2) process.exit(1);
    logger.info({ signal }, 'shutting down: draining in-flight requests');
    gateway.close().then(
      (report) => process.exit(report.cut === 0 ? 0 : 1),
      (error: unknown) => { logger.error({ err: error }, 'shutdown failed'); process.exit(1); },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

const argv = process.argv.slice(2);
if (argv[0] === 'gossip-agent') {
  const { runGossipAgent } = await import('./cli-gossip-agent.js');
  process.exitCode = await runGossipAgent(argv.slice(1));
} else {
  void run(argv);
}

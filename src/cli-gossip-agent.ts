// Entry point of `bifrost gossip-agent` (routed here by src/cli.ts): runs the memberlist gossip
// agent on this process's stdio until -run-for elapses or `leave` is typed. SIGINT/SIGTERM leave
// the cluster gracefully (peers see `left`, not `dead`); a second signal exits at once (code 1).
// It imports only the memberlist module and core ports — no gateway code is loaded.
import { pathToFileURL } from 'node:url';
import { runAgent } from './cluster/memberlist/agent/agent.js';

export async function runGossipAgent(argv: string[]): Promise<number> {
  const stop = new AbortController();
  const onSignal = (): void => {
    if (stop.signal.aborted) process.exit(1);
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await runAgent(argv, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, signal: stop.signal });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runGossipAgent(process.argv.slice(2)).then((code) => process.exit(code), (e: unknown) => {
    process.stderr.write(`gossip-agent: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}

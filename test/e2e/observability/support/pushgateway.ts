// Starts a real Prometheus Pushgateway (Debian's prometheus-pushgateway) on 127.0.0.1 with a free
// port, for the push-mode tests, and stops it by PID.
import { spawn, type ChildProcess } from 'node:child_process';
import { requireBinary } from '../../../support/components.js';
import { waitFor } from '../../../support/wait.js';
import { freePort } from '../../../support/ports.js';
export { freePort };

export interface Pushgateway {
  url: string;
  /** The gateway's own /metrics text (pushed groups included). */
  scrape(): Promise<string>;
  stop(): Promise<void>;
}


export async function startPushgateway(): Promise<Pushgateway> {
  const bin = requireBinary('pushgateway');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(bin, [`--web.listen-address=127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-2000); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitFor(async () => (await fetch(`${url}/-/ready`)).ok, {
    timeoutMs: 15_000, message: `pushgateway ready on ${url} (stderr: ${stderr})`,
  });
  return {
    url,
    async scrape() {
      const res = await fetch(`${url}/metrics`);
      return res.text();
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

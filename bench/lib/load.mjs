// The driver's handle on the load-generator process (bench/load-worker.mjs): one forked child for
// the whole run, one job at a time over IPC. Keeping it a separate process means the servers under
// test, the load and the driver's /proc sampling each get their own event loop.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const WORKER = fileURLToPath(new URL('../load-worker.mjs', import.meta.url));

export function startLoadGenerator() {
  const child = fork(WORKER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map();
  let nextId = 1;
  child.on('message', (message) => {
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.error) waiter.reject(new Error(`load job failed: ${message.error}`));
    else waiter.resolve(message.result);
  });
  child.on('exit', (code) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`load generator exited (${code})`));
    pending.clear();
  });
  return {
    pid: child.pid,
    /** Runs one job (`{kind: 'throughput'|'rate', ...}`) and resolves to its result. */
    run(job) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        child.send({ id, job });
      });
    },
    stop() {
      if (child.connected) child.disconnect();
    },
  };
}

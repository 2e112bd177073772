// Runs Argon2id (hash-wasm) on a worker thread. One password check costs tens to hundreds of ms of
// CPU by design; on the event loop every request in flight — inference included — waits for it,
// so a burst of wrong admin logins would stall the whole gateway. Here the event loop only posts
// a message and waits.
//
// One worker: on a small machine a second hashing thread would take the core the event loop needs,
// and logins are rare. It starts on the first job (most gateways never check a password), keeps
// the process alive only while jobs are pending, and stops after a minute idle to give back the
// ~20 MiB of WebAssembly memory Argon2id uses. Checks beyond `maxPending` are refused at once
// (PasswordThreadBusy) rather than queued: a flood must not build an unbounded backlog that makes
// the admin's own login wait minutes. Hashing a new password is not refused: only startup and an
// authenticated admin do it, and failing a config change over someone else's flood would be wrong.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

// Plain CommonJS evaluated in the worker, so it runs the same from dist/ and under tsx in tests.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { argon2id, argon2Verify } = require(workerData.hashWasm);
parentPort.on('message', async (job) => {
  try {
    const result = job.op === 'hash'
      ? await argon2id({ ...job.params, password: job.password, salt: job.salt, outputType: 'encoded' })
      : await argon2Verify({ password: job.password, hash: job.hash });
    parentPort.postMessage({ id: job.id, result });
  } catch (error) {
    parentPort.postMessage({ id: job.id, error: error instanceof Error ? error.message : String(error) });
  }
});
`;

export interface Argon2Params {
  iterations: number;
  memorySize: number;
  parallelism: number;
  hashLength: number;
}

export type PasswordJob =
  | { op: 'hash'; password: string; salt: Uint8Array; params: Argon2Params }
  | { op: 'verify'; password: string; hash: string };

interface Reply {
  id: number;
  result?: string | boolean;
  error?: string;
}

interface Waiter {
  resolve(value: string | boolean): void;
  reject(error: Error): void;
}

/** The thread already holds `maxPending` jobs: try again shortly. */
export class PasswordThreadBusy extends Error {
  constructor() {
    super('password checks are busy');
    this.name = 'PasswordThreadBusy';
  }
}

export interface PasswordThreadOptions {
  /** Checks running or waiting at once (default 8: with ~0.4 s a check, the last waits ~3 s). */
  maxPending?: number;
  /** Stop the worker after this long without a job (default 60 s). */
  idleStopMs?: number;
}

export class PasswordThread {
  readonly #maxPending: number;
  readonly #idleStopMs: number;
  readonly #waiting = new Map<number, Waiter>();
  #worker: Worker | undefined;
  #idle: NodeJS.Timeout | undefined;
  #nextId = 1;

  constructor(options: PasswordThreadOptions = {}) {
    this.#maxPending = options.maxPending ?? 8;
    this.#idleStopMs = options.idleStopMs ?? 60_000;
  }

  /** Jobs running or waiting now. */
  get pending(): number {
    return this.#waiting.size;
  }

  /** True while a worker exists (started and not yet stopped). */
  get running(): boolean {
    return this.#worker !== undefined;
  }

  hash(password: string, salt: Uint8Array, params: Argon2Params): Promise<string> {
    return this.#run({ op: 'hash', password, salt, params }) as Promise<string>;
  }

  /** Rejects with PasswordThreadBusy when `maxPending` jobs are already running or waiting. */
  verify(password: string, hash: string): Promise<boolean> {
    if (this.#waiting.size >= this.#maxPending) return Promise.reject(new PasswordThreadBusy());
    return this.#run({ op: 'verify', password, hash }) as Promise<boolean>;
  }

  /** Stops the worker now; pending jobs fail. */
  async stop(): Promise<void> {
    const worker = this.#worker;
    this.#retire(new Error('password thread stopped'));
    await worker?.terminate();
  }

  #run(job: PasswordJob): Promise<string | boolean> {
    const worker = this.#worker ?? this.#start();
    if (this.#idle) clearTimeout(this.#idle);
    this.#idle = undefined;
    // Pending jobs keep the process alive (a hash during startup must finish); an idle worker does not.
    worker.ref();
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      worker.postMessage({ ...job, id });
    });
  }

  #start(): Worker {
    const hashWasm = createRequire(import.meta.url).resolve('hash-wasm');
    const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: { hashWasm } });
    worker.on('message', (reply: Reply) => {
      const waiter = this.#waiting.get(reply.id);
      this.#waiting.delete(reply.id);
      if (reply.error !== undefined) waiter?.reject(new Error(reply.error));
      else waiter?.resolve(reply.result ?? false);
      if (this.#waiting.size === 0) this.#settle(worker);
    });
    // A crashed worker fails its jobs; the next job starts a fresh one.
    worker.on('error', (error) => {
      if (this.#worker === worker) this.#retire(error);
    });
    worker.on('exit', (code) => {
      if (this.#worker === worker) this.#retire(new Error(`password thread exited with code ${code}`));
    });
    this.#worker = worker;
    return worker;
  }

  #settle(worker: Worker): void {
    worker.unref();
    this.#idle = setTimeout(() => {
      if (this.#worker !== worker || this.#waiting.size > 0) return;
      this.#worker = undefined;
      this.#idle = undefined;
      void worker.terminate();
    }, this.#idleStopMs);
    this.#idle.unref();
  }

  #retire(error: Error): void {
    this.#worker = undefined;
    if (this.#idle) clearTimeout(this.#idle);
    this.#idle = undefined;
    for (const waiter of this.#waiting.values()) waiter.reject(error);
    this.#waiting.clear();
  }
}

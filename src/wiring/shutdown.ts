// How a replica stops without losing work (issue #22): the sequence a SIGTERM starts.
//   1. Drain: readiness (/health/ready) turns 503 and the `onDrain` hooks run (cluster meta marks
//      the node draining) while liveness stays 200; every response from now on closes its
//      keep-alive connection. For `drainDelayMs` the listener still accepts new connections, so
//      requests a load balancer routed here before it saw the readiness change still succeed.
//   2. Stop accepting; requests on connections still open are served (each closing its
//      connection); requests and SSE streams in flight run to completion.
//   3. At `deadlineMs` after the signal, or on `cut()` (a second signal), whatever still runs is
//      cut and counted.
//   4. The engine closes (plugins flush governance usage), then the shutdown steps run in reverse
//      order of wiring (request-log rows committed, stores closed, the gossip node leaves).
import type { FastifyInstance } from 'fastify';
import type { Gateway, Logger } from '../core/index.js';

export interface ShutdownPlan {
  /** How long the listener keeps accepting after the signal (readiness already false). */
  drainDelayMs: number;
  /** From the signal: what still runs then is cut. */
  deadlineMs: number;
}

export interface ShutdownReport {
  /** In-flight requests and streams cut by the deadline or a second signal. */
  cut: number;
}

export interface ShutdownDeps {
  app: FastifyInstance;
  gateway: Gateway;
  drain: { draining: boolean };
  onDrain: ReadonlyArray<() => void>;
  /** Run in reverse order once the engine has closed. */
  closers: ReadonlyArray<() => Promise<void>>;
  logger: Logger;
  plan: ShutdownPlan;
}

export class Shutdown {
  private running: Promise<ShutdownReport> | undefined;
  private cutCount = 0;
  private endDelay: (() => void) | undefined;

  constructor(private readonly deps: ShutdownDeps) {}

  /** Starts the sequence (once); resolves when the replica has stopped. */
  run(): Promise<ShutdownReport> {
    this.running ??= this.sequence();
    return this.running;
  }

  /** Cuts every request and stream still running now; returns how many were cut. */
  cut(reason: string): number {
    const { app, gateway, logger } = this.deps;
    const count = gateway.inFlight();
    this.cutCount += count;
    if (count > 0) logger.warn({ cut: count, reason }, `shutdown: cut ${count} in-flight request(s) and stream(s) (${reason})`);
    this.endDelay?.();
    app.server.closeAllConnections();
    return count;
  }

  private async sequence(): Promise<ShutdownReport> {
    const { app, gateway, drain, logger, plan } = this.deps;
    const startedAt = Date.now();
    drain.draining = true;
    for (const hook of this.deps.onDrain) {
      try {
        hook();
      } catch (error) {
        logger.warn({ err: error }, 'shutdown: a drain hook failed');
      }
    }
    logger.info({ inFlight: gateway.inFlight(), drainDelayMs: plan.drainDelayMs, deadlineMs: plan.deadlineMs },
      'shutdown: draining (readiness is now 503); in-flight requests and streams finish before the deadline');
    const deadline = setTimeout(() => this.cut('deadline'), plan.deadlineMs);
    deadline.unref();
    try {
      if (plan.drainDelayMs > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, plan.drainDelayMs);
          this.endDelay = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      // Stops the listener and waits for every connection; idle ones are closed at once.
      await app.close();
      await gateway.close();
    } finally {
      clearTimeout(deadline);
    }
    for (const step of [...this.deps.closers].reverse()) {
      await step().catch((error: unknown) => logger.error({ err: error }, 'shutdown step failed'));
    }
    logger.info({ cut: this.cutCount, tookMs: Date.now() - startedAt }, this.cutCount === 0
      ? 'shutdown complete: nothing was cut' : `shutdown complete: ${this.cutCount} request(s) or stream(s) were cut`);
    return { cut: this.cutCount };
  }
}

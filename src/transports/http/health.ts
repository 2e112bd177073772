// GET /health (liveness, Bifrost's): `{"status":"ok"}` when every registered component check
// passes, else 503 naming each failed component. GET /health/ready (readiness): the same, but 503
// `{"status":"draining"}` from the moment a shutdown begins, so load balancers and Kubernetes stop
// routing here while the replica finishes what it has; liveness stays 200 meanwhile. Checks run in parallel with a timeout so a hung database cannot hang the
// probe. Storage/cluster code contributes checks through buildHttpServer's `healthChecks`;
// checks marked `database` are skipped while `client.disable_db_pings_in_health` is on.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ConfigSource } from '../../core/index.js';

export interface HealthCheck {
  name: string;
  check(): Promise<void>;
  /** A database ping: skipped when `client.disable_db_pings_in_health` is true. */
  database?: boolean;
}

const CHECK_TIMEOUT_MS = 5000;

async function runCheck(check: HealthCheck): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`timed out after ${CHECK_TIMEOUT_MS} ms`), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([check.check().then(() => undefined), timeout]);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    clearTimeout(timer);
  }
}

export function registerHealth(app: FastifyInstance, checks: readonly HealthCheck[], config: ConfigSource, drain: { readonly draining: boolean }): void {
  app.get('/health/ready', async (_request, reply) => {
    if (drain.draining) return reply.code(503).send({ status: 'draining' });
    return answer(reply);
  });
  app.get('/health', async (_request, reply) => answer(reply));

  async function answer(reply: FastifyReply): Promise<FastifyReply> {
    const skipDatabases = config.current().client.disable_db_pings_in_health;
    const active = skipDatabases ? checks.filter((check) => !check.database) : checks;
    if (active.length === 0) return reply.send({ status: 'ok' });
    const results = await Promise.all(active.map(async (check) => [check.name, await runCheck(check)] as const));
    const failed = results.filter(([, error]) => error !== undefined);
    if (failed.length === 0) return reply.send({ status: 'ok' });
    const components = Object.fromEntries(failed);
    const message = failed.map(([name, error]) => `${name}: ${error}`).join('; ');
    return reply.code(503).send({ status: 'error', error: message, components });
  }
}

// Push mode: sends the plugin's registry to a Prometheus Pushgateway every `push_interval`
// seconds, grouped by `job` and `instance`, with one last push when the gateway shuts down so the
// final counts of a terminating replica are not lost (Bifrost's recommended mode for clusters,
// where scraping each replica behind a load balancer misses nodes). A failed push is logged and
// retried at the next tick; pushes never overlap. Pushes go through Node's built-in fetch: one
// request every few seconds needs no pool of its own, and loading undici's whole package for it
// would cost the process about 9 MB.
import type { Registry } from 'prom-client';
import type { Logger } from '../../core/index.js';
import type { PushGatewayConfig } from './config.js';

const PUSH_TIMEOUT_MS = 10_000;

export interface PushGatewayClient {
  /** Pushes once now (rejects with the reason on failure). */
  push(): Promise<void>;
  /** Number of successful pushes so far. */
  readonly pushes: number;
  /** Stops the timer and makes the final push. */
  close(): Promise<void>;
}

export interface PushGatewayDeps {
  registry: Registry;
  logger: Logger;
  hostname: string;
}

/** `/metrics/job/<job>/instance/<id>`; values with `/` use the Pushgateway's base64 form. */
export function groupingPath(job: string, instance: string): string {
  const segment = (label: string, value: string): string => value.includes('/') || value === ''
    ? `${label}@base64/${Buffer.from(value).toString('base64url') || '='}`
    : `${label}/${encodeURIComponent(value)}`;
  return `/metrics/${segment('job', job)}/${segment('instance', instance)}`;
}

export function startPushGateway(config: PushGatewayConfig, deps: PushGatewayDeps): PushGatewayClient {
  const instance = config.instance_id || deps.hostname;
  const url = new URL(withoutTrailingSlash(config.push_gateway_url) + groupingPath(config.job_name, instance));
  const headers: Record<string, string> = { 'content-type': deps.registry.contentType };
  if (config.basic_auth?.username) {
    const token = Buffer.from(`${config.basic_auth.username}:${config.basic_auth.password}`).toString('base64');
    headers.authorization = `Basic ${token}`;
  }
  let pushes = 0;
  let inFlight: Promise<void> | undefined;
  let closed = false;

  const pushOnce = async (): Promise<void> => {
    const body = await deps.registry.metrics();
    // PUT replaces the whole group, as Go's push.Pusher.Push does: series that vanished locally
    // vanish on the gateway too.
    const response = await fetch(url, { method: 'PUT', headers, body, signal: AbortSignal.timeout(PUSH_TIMEOUT_MS) })
      .catch((error: unknown) => { throw withReason(error); });
    const text = await response.text();
    if (response.status >= 300) {
      throw new Error(`pushgateway answered ${response.status}: ${text.slice(0, 200)}`);
    }
    pushes += 1;
  };

  const push = (): Promise<void> => {
    // Wait for an in-flight push rather than overlapping it, then push fresh values.
    const next = (inFlight ?? Promise.resolve()).catch(() => undefined).then(pushOnce);
    const tracked = next.finally(() => { if (inFlight === tracked) inFlight = undefined; });
    inFlight = tracked;
    return tracked;
  };

  const tick = (): void => {
    if (inFlight) return;
    push().catch((error: unknown) => {
      deps.logger.warn({ err: errorMessage(error), url: url.origin }, 'failed to push metrics to push gateway');
    });
  };
  const timer = setInterval(tick, config.push_interval * 1000);
  timer.unref();
  tick();

  return {
    push,
    get pushes() { return pushes; },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      try {
        await push();
      } catch (error) {
        deps.logger.warn({ err: errorMessage(error) }, 'final push to push gateway failed');
      }
    },
  };
}

function withoutTrailingSlash(url: string): string {
  return url.endsWith('/') ? url.slice(0, -1) : url;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** fetch reports every network failure as "fetch failed"; the reason (ECONNREFUSED...) is its cause. */
function withReason(error: unknown): Error {
  const cause = error instanceof Error ? error.cause : undefined;
  return new Error(`cannot reach the push gateway: ${cause instanceof Error ? cause.message : errorMessage(error)}`, { cause: error });
}

// The bookkeeping of one request from `handle` to its end (for streams: the last chunk, an error
// or the caller going away): timing, retries, and the single `request.end` event observers get.
import type { GatewayError } from '../errors.js';
import type { RequestSummary } from '../plugin.js';
import type { InferenceRequest, RequestContext, ServedBy, Usage } from '../types.js';
import type { EngineDeps } from './deps.js';
import type { RunStats } from './execute.js';

export interface RunEnd {
  servedBy: ServedBy | undefined;
  error: GatewayError | undefined;
  usage: Usage | undefined;
  firstTokenMs?: number;
  /** The output, or a function computing it on first read (stream text). */
  output: unknown;
  lazyOutput?: () => unknown;
}

export class RequestRun {
  readonly stats: RunStats = { retries: 0 };
  readonly startedAt: number;
  /** Set when the current target's answer is a stream the engine produced (it ends the run). */
  engineStream = false;
  private ended = false;

  constructor(private readonly deps: EngineDeps, readonly request: InferenceRequest, readonly ctx: RequestContext,
    private readonly onEnd: () => void) {
    this.startedAt = deps.clock.monotonic();
    if (deps.events.active) deps.events.emit({ type: 'request.start', request, ctx });
  }

  elapsed(): number {
    return this.deps.clock.monotonic() - this.startedAt;
  }

  end(result: RunEnd): void {
    if (this.ended) return;
    this.ended = true;
    this.onEnd();
    if (!this.deps.events.active) return;
    const { request, ctx } = this;
    const summary: RequestSummary = {
      requestId: ctx.requestId,
      requestType: request.requestType,
      stream: request.stream,
      requestedModel: `${request.target.provider}/${request.target.model}`,
      servedBy: result.servedBy,
      status: result.error ? 'error' : 'success',
      error: result.error,
      usage: result.usage,
      cost: result.usage && result.servedBy && this.deps.cost
        ? this.deps.cost(result.servedBy.provider, result.servedBy.model, result.usage) : undefined,
      latencyMs: this.elapsed(),
      firstTokenMs: result.firstTokenMs,
      retries: this.stats.retries,
      request,
      ctx,
      output: result.output,
    };
    const lazy = result.lazyOutput;
    if (lazy) {
      let cached: unknown;
      let done = false;
      Object.defineProperty(summary, 'output', {
        enumerable: true,
        get: () => { if (!done) { cached = lazy(); done = true; } return cached; },
        set: (v: unknown) => { cached = v; done = true; },
      });
    }
    this.deps.events.emit({ type: 'request.end', summary });
  }
}

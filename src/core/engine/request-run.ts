// The bookkeeping of one request from `handle` to its end (for streams: the last chunk, an error
// or the caller going away): timing, retries, and the single `request.end` event observers get.
import type { GatewayError } from '../errors.js';
import type { FailedTarget, RequestSummary } from '../plugin.js';
import type { CostFunction } from '../ports.js';
import type { InferenceRequest, RequestContext, ServedBy, Usage } from '../types.js';
import type { EngineDeps } from './deps.js';
import type { RunStats } from './execute.js';
import { accumulateText } from './stream-output.js';

export interface RunEnd {
  servedBy: ServedBy | undefined;
  error: GatewayError | undefined;
  usage: Usage | undefined;
  firstTokenMs?: number;
  /** The output, unless `lazyOutput` or `outputChunks` give it on first read. */
  output: unknown;
  /** A forwarded response's text (see RequestSummary.outputText). */
  outputText?: string | undefined;
  /** A stream's chunk texts (see RequestSummary.outputChunks): `output` is their text. */
  outputChunks?: readonly string[] | undefined;
  /** Computes `output` on first read (a forwarded body parsed). */
  lazyOutput?: () => unknown;
}

const NO_FAILURES: readonly FailedTarget[] = Object.freeze([]);

export class RequestRun {
  readonly stats: RunStats = { retries: 0 };
  readonly startedAt: number;
  /** Set when the current target's answer is a stream the engine produced (it ends the run). */
  engineStream = false;
  /** Targets that failed, in order; allocated on the first failure. */
  failures: FailedTarget[] | undefined;
  private ended = false;

  constructor(private readonly deps: EngineDeps, readonly request: InferenceRequest, readonly ctx: RequestContext,
    private readonly onEnd: () => void) {
    this.startedAt = deps.clock.monotonic();
    if (deps.events.wants('request.start')) deps.events.emit({ type: 'request.start', request, ctx });
  }

  get price(): CostFunction | undefined {
    return this.deps.cost;
  }

  elapsed(): number {
    return this.deps.clock.monotonic() - this.startedAt;
  }

  end(result: RunEnd): void {
    if (this.ended) return;
    this.ended = true;
    this.onEnd();
    if (!this.deps.events.wants('request.end')) return;
    this.deps.events.emit({ type: 'request.end', summary: new Summary(this, result, this.elapsed()) });
  }
}

/**
 * A RequestSummary whose `cost` and `output` are computed on first read (pricing, parsing a
 * forwarded body), as a class: prototype getters cost nothing per request, where accessors
 * defined on each object cost about a microsecond.
 */
class Summary implements RequestSummary {
  readonly requestId: string;
  readonly requestType: RequestSummary['requestType'];
  readonly stream: boolean;
  readonly requestedModel: string;
  readonly servedBy: ServedBy | undefined;
  readonly status: 'success' | 'error';
  readonly error: GatewayError | undefined;
  readonly usage: Usage | undefined;
  readonly latencyMs: number;
  readonly firstTokenMs: number | undefined;
  readonly retries: number;
  readonly failedTargets: readonly FailedTarget[];
  readonly request: InferenceRequest;
  readonly ctx: RequestContext;
  readonly outputText: string | undefined;
  readonly outputChunks: readonly string[] | undefined;
  private readonly price: CostFunction | undefined;
  private readonly computeOutput: (() => unknown) | undefined;
  private resolved = false;
  private outputValue: unknown;
  private costValue: number | undefined | null = null;

  constructor(run: RequestRun, result: RunEnd, latencyMs: number) {
    const { request, ctx } = run;
    this.requestId = ctx.requestId;
    this.requestType = request.requestType;
    this.stream = request.stream;
    this.requestedModel = `${request.target.provider}/${request.target.model}`;
    this.servedBy = result.servedBy;
    this.status = result.error ? 'error' : 'success';
    this.error = result.error;
    this.usage = result.usage;
    this.latencyMs = latencyMs;
    this.firstTokenMs = result.firstTokenMs;
    this.retries = run.stats.retries;
    this.failedTargets = run.failures ?? NO_FAILURES;
    this.request = request;
    this.ctx = ctx;
    this.outputText = result.outputText;
    this.outputChunks = result.outputChunks;
    this.price = run.price;
    this.computeOutput = result.lazyOutput;
    this.outputValue = result.output;
  }

  get cost(): number | undefined {
    if (this.costValue === null) {
      const { usage, servedBy, price } = this;
      this.costValue = usage && servedBy && price ? price(servedBy.provider, servedBy.model, usage) : undefined;
    }
    return this.costValue;
  }

  get output(): unknown {
    if (!this.resolved) {
      this.resolved = true;
      if (this.computeOutput) this.outputValue = this.computeOutput();
      else if (this.outputChunks) this.outputValue = accumulateText(this.requestType, this.outputChunks);
    }
    return this.outputValue;
  }
}

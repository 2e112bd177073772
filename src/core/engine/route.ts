// One request across its targets: the primary, then each fallback in order, every target with the
// full plugin pipeline and its own retry budget. Fallbacks whose provider is not configured are
// skipped; the loop stops on success, when the caller aborts, or on an error that forbids
// fallbacks. When every target fails, the primary's error is the answer.
import { GatewayError } from '../errors.js';
import type { RuntimeConfig } from '../runtime-config.js';
import type { InferenceRequest, InferenceResult, InferenceStream, ModelRef, StreamEvent } from '../types.js';
import type { EngineDeps } from './deps.js';
import { asGatewayError, cancelledError } from './errors.js';
import { callProvider } from './execute.js';
import { addResponseExtraFields, spliceResponseExtraFields } from './extra-fields.js';
import { lazyResponse } from './lazy-response.js';
import { runPipeline } from './pipeline.js';
import type { RequestRun } from './request-run.js';
import { streamEvents } from './stream.js';

function providerProblem(deps: EngineDeps, snapshot: RuntimeConfig, request: InferenceRequest): GatewayError | undefined {
  const { provider } = request.target;
  const config = snapshot.providers[provider];
  const bad = (message: string): GatewayError =>
    new GatewayError(message, { status: 400, type: 'invalid_request_error', param: 'model', provider, model: request.target.model });
  if (!config) {
    return bad(deps.registry.isKnown(provider) ? `provider ${provider} is not configured` : `unsupported provider: ${provider}`);
  }
  const adapter = deps.registry.resolve(provider, config);
  if (!adapter) {
    const base = config.custom_provider_config?.base_provider_type;
    return bad(base
      ? `unsupported provider: ${provider} (custom_provider_config.base_provider_type "${base}" is not supported; use "openai")`
      : `unsupported provider: ${provider} (no adapter for its API yet; OpenAI-compatible providers are supported)`);
  }
  if (!adapter.supports(request.requestType)) return bad(`provider ${provider} does not support ${request.requestType}`);
  return undefined;
}

/** Calls the provider for one target and shapes its answer as the caller will get it. */
async function provide(deps: EngineDeps, run: RequestRun, request: InferenceRequest, snapshot: RuntimeConfig,
  fallbackIndex: number): Promise<InferenceResult> {
  const providerConfig = snapshot.providers[request.target.provider]!;
  const adapter = deps.registry.resolve(request.target.provider, providerConfig)!;
  const outcome = await callProvider(deps, {
    request, ctx: run.ctx, adapter, providerConfig, snapshot, fallbackIndex, stats: run.stats,
  });
  if (outcome.kind === 'response') {
    const { parsed, servedBy } = outcome;
    const base = { requestType: request.requestType, ...request.target };
    if (parsed.json) return lazyResponse(spliceResponseExtraFields(parsed.json, base, run.elapsed()), parsed.usage, servedBy, deps.hooked);
    const { body, usage } = parsed;
    addResponseExtraFields(body, base, run.elapsed());
    return { kind: 'response', body, usage, servedBy };
  }
  run.engineStream = true;
  return {
    kind: 'stream',
    events: streamEvents(deps, { ...outcome, adapter, run }),
    servedBy: outcome.servedBy,
    terminator: adapter.terminator(request.requestType),
  };
}

/** Ends the run when a stream the engine did not create (a plugin's short-circuit) finishes. */
async function* trackForeignStream(run: RequestRun, result: InferenceStream): AsyncGenerator<StreamEvent> {
  let error: GatewayError | undefined;
  try {
    for await (const event of result.events) {
      if (event.error) error = event.error;
      yield event;
    }
  } finally {
    run.end({ servedBy: result.servedBy, error, usage: undefined, output: undefined });
  }
}

export async function route(deps: EngineDeps, run: RequestRun): Promise<InferenceResult> {
  const snapshot = deps.config.current();
  const { request, ctx } = run;
  const count = 1 + request.fallbacks.length;
  let primaryError: GatewayError | undefined;
  let stopError: GatewayError | undefined;
  let targetStart = 0;
  for (let i = 0; i < count; i++) {
    const target: ModelRef = i === 0 ? request.target : request.fallbacks[i - 1]!;
    const attempt = i === 0 ? request : { ...request, target };
    const problem = providerProblem(deps, snapshot, attempt);
    if (problem) {
      if (i === 0) primaryError = problem;
      continue;
    }
    if (ctx.cancellation.aborted) { stopError = cancelledError(target); break; }
    try {
      const fallbackIndex = i;
      run.engineStream = false;
      targetStart = deps.clock.monotonic();
      const result = await runPipeline(deps, attempt, ctx, () => provide(deps, run, attempt, snapshot, fallbackIndex));
      if (result.kind === 'response') {
        // Lazy: reading the body of a forwarded response parses it, which only observers may need.
        run.end({ servedBy: result.servedBy, error: undefined, usage: result.usage, output: undefined,
          outputText: result.raw, lazyOutput: () => result.body });
        return result;
      }
      // The engine's stream (even wrapped by a plugin) ends the run itself; a plugin's own does not.
      return run.engineStream ? result : { ...result, events: trackForeignStream(run, result) };
    } catch (thrown) {
      const error = asGatewayError(thrown);
      // Plugin errors carry no provider; the transport's extra_fields want the target's.
      if (error.provider === undefined) { error.provider = target.provider; error.model = target.model; }
      (run.failures ??= []).push({
        provider: target.provider, model: target.model, fallbackIndex: i, error, latencyMs: deps.clock.monotonic() - targetStart,
      });
      if (i === 0) primaryError = error;
      if (ctx.cancellation.aborted) { stopError = cancelledError(target); break; }
      if (!error.allowFallbacks) { stopError = error; break; }
    }
  }
  throw stopError ?? primaryError ?? cancelledError();
}

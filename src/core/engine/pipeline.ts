// Bifrost's plugin pipeline around one provider call: pre-hooks in registration order (a pre-hook
// may short-circuit with a response or an error, and then the provider is not called), then
// post-hooks in reverse order for exactly the plugins whose pre-hook ran; a post-hook may turn an
// error into a response or the reverse. A plugin that throws is logged and skipped, as in Bifrost.
// Hooks that return plain values are not awaited, and with no hooks at all the provider's promise
// is returned as is, so a plugin-free request adds no promise and no tick.
import type { GatewayError } from '../errors.js';
import type { PostHookInput, PreHookOutcome } from '../plugin.js';
import type { InferenceRequest, InferenceResult, RequestContext } from '../types.js';
import type { EngineDeps } from './deps.js';
import { asGatewayError } from './errors.js';

export function runPipeline(deps: EngineDeps, request: InferenceRequest, ctx: RequestContext,
  provide: () => Promise<InferenceResult>): Promise<InferenceResult> {
  return deps.hooked ? runHooks(deps, request, ctx, provide) : provide();
}

async function runHooks(deps: EngineDeps, request: InferenceRequest, ctx: RequestContext,
  provide: () => Promise<InferenceResult>): Promise<InferenceResult> {
  const plugins = deps.plugins;
  let ran = 0;
  let outcome: PostHookInput | undefined;
  for (const plugin of plugins) {
    ran++;
    if (!plugin.preHook) continue;
    if (!plugin.keepsBody) request.bodyText = undefined;
    let pre: PreHookOutcome;
    try {
      const value = plugin.preHook(request, ctx);
      pre = value instanceof Promise ? await value : value;
    } catch (error) {
      deps.logger.warn({ plugin: plugin.name, err: error, requestId: ctx.requestId }, 'plugin pre-hook threw');
      continue;
    }
    if (pre && 'shortCircuit' in pre) { outcome = { result: pre.shortCircuit }; break; }
    if (pre && 'error' in pre) { outcome = { error: pre.error }; break; }
  }
  if (!outcome) {
    try {
      outcome = { result: await provide() };
    } catch (error) {
      outcome = { error: asGatewayError(error) };
    }
  }
  for (let i = ran - 1; i >= 0; i--) {
    const plugin = plugins[i]!;
    if (!plugin.postHook) continue;
    try {
      const value = plugin.postHook(request, outcome, ctx);
      outcome = value instanceof Promise ? await value : value;
    } catch (error) {
      deps.logger.warn({ plugin: plugin.name, err: error, requestId: ctx.requestId }, 'plugin post-hook threw');
    }
  }
  if (outcome.result && !outcome.error) return outcome.result;
  throw outcome.error ?? missingOutcome();
}

function missingOutcome(): GatewayError {
  return asGatewayError(new Error('a plugin post-hook returned neither a result nor an error'));
}

// GET /v1/models: asks every configured provider (or one) for its models in parallel and returns
// one OpenAI-shaped list with ids prefixed `provider/`. A provider that fails is logged and left
// out of the aggregate; when a single provider was asked for, its failure is the answer.
import { GatewayError } from '../errors.js';
import type { JsonObject, RequestContext } from '../types.js';
import type { EngineDeps } from './deps.js';
import { asGatewayError, cancelledError, networkError, timeoutError, upstreamError } from './errors.js';
import { classifyTransportError } from '../upstream/client.js';

async function providerModels(deps: EngineDeps, name: string, ctx: RequestContext): Promise<JsonObject[]> {
  const config = deps.config.current().providers[name];
  const adapter = config ? deps.registry.resolve(name, config) : undefined;
  if (!config || !adapter) {
    throw new GatewayError(`provider ${name} is not configured`, { status: 400, type: 'invalid_request_error', param: 'provider' });
  }
  if (!adapter.supports('list_models')) return [];
  const key = config.keys.find((k) => k.enabled !== false) ?? { id: '', name: '', value: '', models: [], weight: 1, enabled: true };
  const where = { provider: name, model: '' };
  const timeoutMs = (config.network_config.default_request_timeout_in_seconds || 30) * 1000;
  const request = adapter.listModelsRequest({ provider: name, key, config });
  let text: string;
  let status: number;
  try {
    ({ status, text } = await deps.client.sendBuffered(request, { cancellation: ctx.cancellation, timeoutMs }));
  } catch (error) {
    const failure = classifyTransportError(error, ctx.cancellation);
    if (failure.kind === 'aborted') throw cancelledError(where);
    throw failure.kind === 'timeout' ? timeoutError(where, timeoutMs, error) : networkError(where, failure.message, error);
  }
  if (status >= 400) throw upstreamError(status, adapter.parseError(status, text), where, false);
  return adapter.parseModels(text).map((m) => ({ ...m, id: `${name}/${String(m.id)}` }));
}

export async function listModels(deps: EngineDeps, ctx: RequestContext, provider?: string): Promise<JsonObject> {
  if (provider !== undefined) return { object: 'list', data: await providerModels(deps, provider, ctx) };
  const names = Object.keys(deps.config.current().providers);
  const settled = await Promise.allSettled(names.map((name) => providerModels(deps, name, ctx)));
  const data: JsonObject[] = [];
  settled.forEach((outcome, i) => {
    if (outcome.status === 'fulfilled') data.push(...outcome.value);
    else deps.logger.warn({ provider: names[i], err: asGatewayError(outcome.reason).message }, 'listing models failed');
  });
  return { object: 'list', data };
}

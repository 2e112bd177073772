// The `bifrost-mocker` plugin: a short-circuiting pre-hook that answers matching requests of every
// type (chat, text, responses, embeddings; streams too) with canned responses or simulated errors,
// without calling any provider. Rules are checked by priority (highest first); the first enabled
// rule whose conditions match and whose probability fires wins. Unmatched requests follow
// `default_behavior` (passthrough by default).
import { setTimeout as sleep } from 'node:timers/promises';
import {
  GatewayError, systemClock, systemRandom,
  type Clock, type InferenceRequest, type JsonObject, type Plugin, type PreHookOutcome, type Random, type RequestContext,
} from '../../core/index.js';
import { compileRegex, mockerConfigSchema, type MockLatency, type MockResponse, type MockRule, type MockSuccess } from './config.js';
import { mockResponse, mockStream } from './responses.js';

export const MOCKER_PLUGIN_NAME = 'bifrost-mocker';

const DEFAULT_MESSAGE = 'This is a mock response from the Mocker plugin';

export interface MockerDeps {
  random?: Random;
  clock?: Clock;
  /** Waits `ms` or rejects when the signal aborts; injectable so tests need not sleep. */
  delay?: (ms: number, signal: AbortSignal) => Promise<void>;
}

interface CompiledRule {
  rule: MockRule;
  regex: RegExp | undefined;
  totalWeight: number;
}

function compile(rule: MockRule): CompiledRule {
  const regex = rule.conditions.message_regex === undefined ? undefined : compileRegex(rule.conditions.message_regex);
  const totalWeight = rule.responses.reduce((sum, r) => sum + (r.weight || 1), 0);
  return { rule, regex, totalWeight };
}

function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(textOf).join('\n');
  if (typeof value === 'object' && value !== null) {
    const record = value as JsonObject;
    if (typeof record.text === 'string') return record.text;
    if (record.content !== undefined) return textOf(record.content);
  }
  return '';
}

/** The caller's message text that `message_regex` is matched against. */
export function messageText(request: InferenceRequest): string {
  const body = request.body;
  switch (request.requestType) {
    case 'chat_completion': return textOf(body.messages);
    case 'text_completion': return textOf(body.prompt);
    default: return textOf(body.input);
  }
}

function matches(compiled: CompiledRule, request: InferenceRequest): boolean {
  const { providers, models, request_size: size } = compiled.rule.conditions;
  if (providers.length > 0 && !providers.includes(request.target.provider)) return false;
  if (models.length > 0 && !models.includes(request.target.model)) return false;
  if (compiled.regex && !compiled.regex.test(messageText(request))) return false;
  if (size) {
    const bytes = Buffer.byteLength(JSON.stringify(request.body));
    if (bytes < size.min || bytes > size.max) return false;
  }
  return true;
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return sleep(ms, undefined, { signal }).then(() => undefined);
}

export function createMockerPlugin(rawConfig: unknown, deps: MockerDeps = {}): Plugin {
  const config = mockerConfigSchema.parse(rawConfig ?? {});
  const random = deps.random ?? systemRandom;
  const clock = deps.clock ?? systemClock;
  const delay = deps.delay ?? abortableDelay;
  const rules = config.rules.length > 0 ? config.rules : [{
    name: 'default-mock', enabled: true, priority: 1, probability: 1, conditions: { providers: [], models: [] },
    responses: [{ type: 'success' as const, content: { message: DEFAULT_MESSAGE } }],
  }];
  const compiled = rules.filter((r) => r.enabled).map(compile).sort((a, b) => b.rule.priority - a.rule.priority);
  let sequence = 0;

  const pick = (entry: CompiledRule): MockResponse => {
    let roll = random.next() * entry.totalWeight;
    for (const response of entry.rule.responses) {
      roll -= response.weight || 1;
      if (roll < 0) return response;
    }
    return entry.rule.responses[entry.rule.responses.length - 1]!;
  };

  const latencyMs = (latency: MockLatency | undefined): number => {
    if (!latency) return 0;
    if (latency.type === 'fixed') return latency.min;
    return latency.min + random.next() * ((latency.max ?? latency.min) - latency.min);
  };

  const answer = (request: InferenceRequest, content: MockSuccess, latency: number): PreHookOutcome => {
    const model = content.model ?? request.target.model;
    const template = content.message_template;
    const text = template
      ? template.replaceAll('{{provider}}', request.target.provider).replaceAll('{{model}}', request.target.model)
      : content.message ?? DEFAULT_MESSAGE;
    const mock = {
      content, text, created: Math.floor(clock.now() / 1000), id: `mock-${++sequence}`,
      servedBy: { provider: request.target.provider, model, requestedModel: `${request.target.provider}/${request.target.model}`,
        fallbackIndex: 0, keyName: MOCKER_PLUGIN_NAME, attempts: 1, upstreamLatencyMs: Math.round(latency) },
    };
    return { shortCircuit: request.stream ? mockStream(request, mock) : mockResponse(request, mock) };
  };

  const fail = (request: InferenceRequest, response: MockResponse): PreHookOutcome => {
    const error = response.error ?? { message: 'mock error' };
    return { error: new GatewayError(error.message, {
      status: error.status_code ?? 500, type: error.type ?? 'mock_error', ...(error.code ? { code: error.code } : {}),
      isBifrostError: false, allowFallbacks: response.allow_fallbacks ?? true,
      provider: request.target.provider, model: request.target.model,
    }) };
  };

  return {
    name: MOCKER_PLUGIN_NAME,
    keepsBody: true,
    async preHook(request: InferenceRequest, ctx: RequestContext): Promise<PreHookOutcome> {
      // Every request type is answered here (embeddings too): a mocked setup must never reach a provider.
      if (!config.enabled) return undefined;
      const rule = compiled.find((entry) => matches(entry, request)
        && entry.rule.probability > 0 && (entry.rule.probability >= 1 || random.next() < entry.rule.probability));
      if (!rule) {
        if (config.default_behavior === 'passthrough') return undefined;
        const latency = latencyMs(config.global_latency);
        if (latency > 0) await delay(latency, ctx.cancellation.signal);
        if (config.default_behavior === 'success') return answer(request, { message: DEFAULT_MESSAGE }, latency);
        return fail(request, { type: 'error', error: { message: 'mocker: no rule matched the request' } });
      }
      const latency = latencyMs(rule.rule.latency ?? config.global_latency);
      if (latency > 0) await delay(latency, ctx.cancellation.signal);
      const response = pick(rule);
      return response.type === 'success' && response.content ? answer(request, response.content, latency) : fail(request, response);
    },
  };
}

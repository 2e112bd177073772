// Governance's errors with Bifrost's status codes and `error.type` strings (reference §2.8).
// None of them may fall back to another provider: the caller, not the upstream, is at fault.
import { GatewayError } from '../../core/index.js';

const make = (status: number, type: string, message: string) =>
  new GatewayError(message, { status, type, allowFallbacks: false, retryable: false });

export const governanceErrors = {
  virtualKeyRequired: () => make(400, 'virtual_key_required',
    'virtual key is required: x-bf-vk header is missing (or send an sk-bf- key as Authorization: Bearer, x-api-key, x-goog-api-key or api-key)'),
  missingHeaders: (names: string[]) => make(400, 'missing_required_headers', `missing required headers: ${names.join(', ')}`),
  notFound: () => make(403, 'virtual_key_not_found', 'virtual key not found'),
  blocked: (why: 'inactive' | 'expired') => make(403, 'virtual_key_blocked', `virtual key is ${why}`),
  providerBlocked: (provider: string) => make(403, 'provider_blocked', `provider '${provider}' is not allowed for this virtual key`),
  modelBlocked: (model: string) => make(403, 'model_blocked', `model '${model}' is not allowed for this virtual key`),
  noProvider: (model: string) => make(403, 'model_blocked',
    `model '${model}' has no provider prefix and no provider config of this virtual key allows it`),
  rateLimited: (type: 'rate_limited' | 'token_limited' | 'request_limited', message: string) => make(429, type, message),
  budgetExceeded: (message: string) => make(402, 'budget_exceeded', message),
  unavailable: () => make(503, 'governance_unavailable', 'usage counters unavailable; request rejected by fail_closed policy'),
};

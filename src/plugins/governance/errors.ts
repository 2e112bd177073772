// Governance's errors with Bifrost's status codes and `error.type` strings (reference §2.8).
// Errors about the key itself, or its team/customer, forbid fallbacks (every target would fail the
// same way); errors about one provider (blocked, or its provider-config limit hit) let the engine
// try the next target, which runs governance again.
import { GatewayError } from '../../core/index.js';

const make = (status: number, type: string, message: string, allowFallbacks = false) =>
  new GatewayError(message, { status, type, allowFallbacks, retryable: false });

export const governanceErrors = {
  virtualKeyRequired: () => make(400, 'virtual_key_required',
    'virtual key is required: x-bf-vk header is missing (or send an sk-bf- key as Authorization: Bearer, x-api-key, x-goog-api-key or api-key)'),
  missingHeaders: (names: string[]) => make(400, 'missing_required_headers', `missing required headers: ${names.join(', ')}`),
  notFound: () => make(403, 'virtual_key_not_found', 'virtual key not found'),
  blocked: (why: 'inactive' | 'expired') => make(403, 'virtual_key_blocked', `virtual key is ${why}`),
  providerBlocked: (provider: string) => make(403, 'provider_blocked', `provider '${provider}' is not allowed for this virtual key`, true),
  modelBlocked: (model: string) => make(403, 'model_blocked', `model '${model}' is not allowed for this virtual key`, true),
  noProvider: (model: string) => make(403, 'model_blocked',
    `model '${model}' has no provider prefix and no provider config of this virtual key allows it`),
  rateLimited: (type: 'rate_limited' | 'token_limited' | 'request_limited', message: string, providerLevel = false) =>
    make(429, type, message, providerLevel),
  budgetExceeded: (message: string, providerLevel = false) => make(402, 'budget_exceeded', message, providerLevel),
  unavailable: () => make(503, 'governance_unavailable', 'usage counters unavailable; request rejected by fail_closed policy'),
};

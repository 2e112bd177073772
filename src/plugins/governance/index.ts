// Public surface of the governance plugin.
export * from './config-schema.js';
export { createGovernancePlugin, type GovernanceEntitySync, type GovernancePlugin, type GovernancePluginDeps, type ModelPricing } from './plugin.js';
export { GovernanceState, hashVirtualKey, generateVirtualKeyValue, budgetIdsOf, VK_PREFIX, type VirtualKey, type ProviderConfig, type Budget, type RateLimit, type Team, type Customer, type Mutation } from './state.js';
export { budgetKey, requestKey, tokenKey, WindowCache } from './limits.js';
export { virtualKeyFromHeaders } from './access.js';
export { parseDuration } from './windows/duration.js';
export { UsageFlusher, type UsageSink } from './flusher.js';
export type { GovernanceRepository, GovernanceSnapshot } from './repository.js';
export { GovernanceAdmin, type AdminResult } from './admin-service.js';
export { createGovernance, type Governance, type GovernanceOptions } from './bootstrap.js';

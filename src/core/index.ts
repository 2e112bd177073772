// Public surface of the core engine.
export * from './errors.js';
export * from './types.js';
export * from './cancellation.js';
export * from './ports.js';
export * from './plugin.js';
export * from './http-exchange.js';
export * from './runtime-config.js';
export * from './gateway.js';
export * from './usage-counters.js';
export * from './go-duration.js';
export { accumulateText, createGateway, shuttingDown } from './engine/index.js';
export { firstElement, JSON_MEMBERS_SOURCE, scanMembers, type MemberScan } from './providers/json-members.js';

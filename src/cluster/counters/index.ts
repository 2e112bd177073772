// Public surface of the shared usage counters: the cluster implementation of core's UsageCounters
// port, the slot-store port it persists through (with an in-memory store for tests) and the topic.
export { ClusterUsageCounters, COUNTERS_TOPIC, LEGACY_SLOT, type ClusterCountersOptions } from './counters.js';
export { MemorySlotStore, type CounterSlotRow, type CounterSlotStore } from './slot-store.js';

// Public surface of the governance store.
export { GovernanceStore, type GovernanceStoreOptions, type ValueCipher } from './store.js';
export { GOVERNANCE_MIGRATIONS, type GovernanceTables } from './schema.js';
export { CounterSlotsStore, COUNTER_SLOTS_MIGRATION, type CounterSlotRecord } from './counter-slots.js';

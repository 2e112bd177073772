// The persistence port of governance (implemented in src/storage/governance): entity rows for the
// admin API's writes and startup, and the usage cells the background flusher writes.
import type { CounterState } from '../../core/index.js';
import type { UsageSink } from './flusher.js';
import type { Budget, Customer, RateLimit, Team, VirtualKey } from './state.js';

export interface GovernanceSnapshot {
  budgets: Budget[];
  rateLimits: RateLimit[];
  customers: Customer[];
  teams: Team[];
  virtualKeys: VirtualKey[];
  usage: CounterState[];
}

export interface GovernanceRepository extends UsageSink {
  loadAll(): Promise<GovernanceSnapshot>;
  saveBudget(budget: Budget): Promise<void>;
  deleteBudget(id: string): Promise<void>;
  saveRateLimit(rateLimit: RateLimit): Promise<void>;
  deleteRateLimit(id: string): Promise<void>;
  saveCustomer(customer: Customer): Promise<void>;
  deleteCustomer(id: string): Promise<void>;
  saveTeam(team: Team): Promise<void>;
  deleteTeam(id: string): Promise<void>;
  saveVirtualKey(vk: VirtualKey): Promise<void>;
  deleteVirtualKey(id: string): Promise<void>;
}

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
  /** Everything stored; `usage: false` skips the usage cells (a config reload keeps the counters). */
  loadAll(options?: { usage?: boolean }): Promise<GovernanceSnapshot>;
  /**
   * Cluster config sync: the stored entity version the last `loadAll` and this repository's own
   * writes since reflect (-1 when another writer came in between). Absent = not versioned.
   */
  appliedVersion?(): number;
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

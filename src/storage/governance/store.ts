// The governance repository on the shared database layer (SQLite or PostgreSQL through kysely):
// entity upserts and deletes for the admin API, the startup snapshot, and the usage cells the
// flusher writes in one transaction per batch. Virtual key values are stored sealed with the
// configured cipher (plaintext cipher when no encryption_key is set) plus their SHA-256.
// Every entity write bumps the 'governance' config version in its transaction (config sync: other
// replicas reload their entities); the store tracks which version the caller's in-memory state
// reflects — the one read with the last load, advanced by this store's own contiguous writes.
import { createHash } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { CounterState } from '../../core/index.js';
import type {
  Budget, Customer, GovernanceRepository, GovernanceSnapshot, RateLimit, Team, VirtualKey,
} from '../../plugins/governance/index.js';
import { announceLocalWrite } from '../config-sync/local.js';
import { bumpVersion, ensureVersionTable, readVersion } from '../config-sync/versions.js';
import type { Database } from '../database.js';
import { migrate } from '../migrations.js';
import { GOVERNANCE_MIGRATIONS, type EntityTable, type GovernanceTables } from './schema.js';

/** Structural view of src/security's Cipher. */
export interface ValueCipher {
  readonly encrypted: boolean;
  seal(plaintext: string): string;
  open(sealed: string): string;
}

const PLAINTEXT: ValueCipher = { encrypted: false, seal: (v) => v, open: (v) => v };

export interface GovernanceStoreOptions {
  cipher?: ValueCipher;
  now?: () => number;
}

export class GovernanceStore implements GovernanceRepository {
  private readonly db: Kysely<GovernanceTables>;
  private readonly cipher: ValueCipher;
  private readonly now: () => number;
  /** The stored 'governance' version the loaded entities plus this store's own writes reflect. */
  private applied = 0;
  /** Another replica wrote between the last load and one of ours: the caller must reload. */
  private stale = false;

  private constructor(private readonly database: Database, options: GovernanceStoreOptions) {
    this.db = database.typed<GovernanceTables>();
    this.cipher = options.cipher ?? PLAINTEXT;
    this.now = options.now ?? Date.now;
  }

  /** Opens the store on `database`, applying its migrations first. */
  static async open(database: Database, options: GovernanceStoreOptions = {}): Promise<GovernanceStore> {
    await migrate(database, 'governance', GOVERNANCE_MIGRATIONS);
    await ensureVersionTable(database);
    return new GovernanceStore(database, options);
  }

  /**
   * The stored 'governance' version the last `loadAll` and this store's writes since reflect; -1
   * when another replica's write came in between (only a reload makes the state current again).
   */
  appliedVersion(): number {
    return this.stale ? -1 : this.applied;
  }

  /** Entities (and usage cells unless `usage: false`), and the version they are at least as new as. */
  async loadAll(options: { usage?: boolean } = {}): Promise<GovernanceSnapshot> {
    const version = await readVersion(this.db, 'governance');
    const read = async <T>(table: EntityTable): Promise<T[]> => {
      const rows = await this.db.selectFrom(table).select(['data']).orderBy('id').execute();
      return rows.map((r) => JSON.parse(r.data) as T);
    };
    const vkRows = await this.db.selectFrom('governance_virtual_keys').select(['data', 'value']).orderBy('id').execute();
    const usage = options.usage === false ? [] : await this.db.selectFrom('governance_usage').select(['key', 'window_start', 'used']).execute();
    const snapshot = {
      budgets: await read<Budget>('governance_budgets'),
      rateLimits: await read<RateLimit>('governance_rate_limits'),
      customers: await read<Customer>('governance_customers'),
      teams: await read<Team>('governance_teams'),
      virtualKeys: vkRows.map((r) => ({ ...(JSON.parse(r.data) as Omit<VirtualKey, 'value'>), value: this.cipher.open(r.value) })),
      usage: usage.map((u) => ({ key: u.key, windowStart: Number(u.window_start), used: Number(u.used) })),
    };
    this.applied = version;
    this.stale = false;
    return snapshot;
  }

  saveBudget(budget: Budget): Promise<void> { return this.upsert('governance_budgets', budget.id, budget); }
  deleteBudget(id: string): Promise<void> { return this.remove('governance_budgets', id); }
  saveRateLimit(rateLimit: RateLimit): Promise<void> { return this.upsert('governance_rate_limits', rateLimit.id, rateLimit); }
  deleteRateLimit(id: string): Promise<void> { return this.remove('governance_rate_limits', id); }
  saveCustomer(customer: Customer): Promise<void> { return this.upsert('governance_customers', customer.id, customer); }
  deleteCustomer(id: string): Promise<void> { return this.remove('governance_customers', id); }
  saveTeam(team: Team): Promise<void> { return this.upsert('governance_teams', team.id, team); }
  deleteTeam(id: string): Promise<void> { return this.remove('governance_teams', id); }

  async saveVirtualKey(vk: VirtualKey): Promise<void> {
    const { value, ...rest } = vk;
    const row = {
      id: vk.id, data: JSON.stringify(rest), updated_at: this.now(),
      value_hash: createHash('sha256').update(value).digest('hex'), value: this.cipher.seal(value),
      encryption_status: this.cipher.encrypted ? 'encrypted' : 'plain_text',
    };
    await this.versioned((trx) => trx.insertInto('governance_virtual_keys').values(row)
      .onConflict((oc) => oc.column('id').doUpdateSet({
        data: row.data, updated_at: row.updated_at, value_hash: row.value_hash, value: row.value, encryption_status: row.encryption_status,
      }))
      .execute());
  }

  async deleteVirtualKey(id: string): Promise<void> {
    await this.versioned((trx) => trx.deleteFrom('governance_virtual_keys').where('id', '=', id).execute());
  }

  async saveUsage(states: readonly CounterState[]): Promise<void> {
    if (states.length === 0) return;
    const at = this.now();
    await this.db.transaction().execute(async (trx) => {
      for (const s of states) {
        await trx.insertInto('governance_usage').values({ key: s.key, window_start: s.windowStart, used: s.used, updated_at: at })
          .onConflict((oc) => oc.column('key').doUpdateSet({ window_start: s.windowStart, used: s.used, updated_at: at }))
          .execute();
      }
    });
  }

  /** Drops usage cells of a deleted budget or rate limit. */
  async deleteUsage(keys: readonly string[]): Promise<void> {
    if (keys.length > 0) await this.db.deleteFrom('governance_usage').where('key', 'in', keys).execute();
  }

  describe(): string {
    return this.database.describe();
  }

  private async upsert(table: EntityTable, id: string, entity: object): Promise<void> {
    const data = JSON.stringify(entity);
    const at = this.now();
    await this.versioned((trx) => trx.insertInto(table).values({ id, data, updated_at: at })
      .onConflict((oc) => oc.column('id').doUpdateSet({ data, updated_at: at }))
      .execute());
  }

  private async remove(table: EntityTable, id: string): Promise<void> {
    await this.versioned((trx) => trx.deleteFrom(table).where('id', '=', id).execute());
  }

  /** Runs one entity write and the version bump in a transaction, then tracks the version. */
  private async versioned(write: (trx: Transaction<GovernanceTables>) => Promise<unknown>): Promise<void> {
    const version = await this.db.transaction().execute(async (trx) => {
      await write(trx);
      return bumpVersion(trx, this.database, 'governance');
    });
    // Versions of one section are contiguous: the next one means nobody else wrote since.
    if (!this.stale && version === this.applied + 1) this.applied = version;
    else this.stale = true;
    announceLocalWrite(this.database, 'governance', version);
  }
}

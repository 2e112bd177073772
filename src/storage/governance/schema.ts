// Governance tables (Bifrost's names) and their migrations for SQLite and PostgreSQL. Entities are
// stored as a JSON `data` column next to their id, so the row shape follows the config schema
// without a column per field; virtual keys also carry `value_hash` (SHA-256, unique, the lookup
// key) and `value` sealed with the configured cipher. Usage cells live in `governance_usage`,
// one row per counter key, written by the background flusher.
import { sql } from 'kysely';
import type { Migration } from '../migrations.js';
import { COUNTER_SLOTS_MIGRATION } from './counter-slots.js';

export interface EntityRow {
  id: string;
  data: string;
  updated_at: number;
}

export interface VirtualKeyRow extends EntityRow {
  value_hash: string;
  value: string;
  encryption_status: string;
}

export interface UsageRow {
  key: string;
  window_start: number;
  used: number;
  updated_at: number;
}

export interface GovernanceTables {
  governance_budgets: EntityRow;
  governance_rate_limits: EntityRow;
  governance_customers: EntityRow;
  governance_teams: EntityRow;
  governance_virtual_keys: VirtualKeyRow;
  governance_usage: UsageRow;
}

export const ENTITY_TABLES = ['governance_budgets', 'governance_rate_limits', 'governance_customers', 'governance_teams'] as const;
export type EntityTable = (typeof ENTITY_TABLES)[number];

export const GOVERNANCE_MIGRATIONS: readonly Migration[] = [{
  name: '001_create_governance',
  async up({ db, kind }) {
    const big = kind === 'postgres' ? 'bigint' : 'integer';
    const real = kind === 'postgres' ? 'double precision' : 'real';
    for (const table of ENTITY_TABLES) {
      await sql.raw(`create table ${table} (id text primary key, data text not null, updated_at ${big} not null)`).execute(db);
    }
    await sql.raw(`create table governance_virtual_keys (id text primary key, data text not null, updated_at ${big} not null,
      value_hash text not null unique, value text not null, encryption_status text not null)`).execute(db);
    await sql.raw(`create table governance_usage (key text primary key, window_start ${big} not null, used ${real} not null,
      updated_at ${big} not null)`).execute(db);
  },
}, COUNTER_SLOTS_MIGRATION];

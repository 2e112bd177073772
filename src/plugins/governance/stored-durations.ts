// Durations a store already holds, checked where they are read: a version before duration bounds
// let values such as `99999999999999h` through, and such a row must neither stop the gateway nor
// break a listing nor hide the entity. Startup logs each bad value once (entity, id, field, value,
// reason) and the admin views list it under `problems`, so an operator can fix it through the
// admin API; meanwhile the windows treat it as the longest window (readStoredDuration).
import type { GovernanceSnapshot } from './repository.js';
import { MAX_DURATION_TEXT, readStoredDuration } from './windows/duration.js';

export type DurationOwner = 'budget' | 'rate_limit';

export interface StoredDurationProblem {
  entity: DurationOwner;
  id: string;
  field: string;
  /** The stored value, cut short for the log. */
  value: string;
  problem: string;
}

/** Duration fields per entity; a budget's is required, a rate limit's are optional. */
const FIELDS: Record<DurationOwner, { names: readonly string[]; optional: boolean }> = {
  budget: { names: ['reset_duration'], optional: false },
  rate_limit: { names: ['token_reset_duration', 'request_reset_duration'], optional: true },
};

/** What is wrong with each duration field of one stored budget or rate limit. */
export function durationProblemsOf(entity: DurationOwner, row: object): { field: string; value: unknown; problem: string }[] {
  const out: { field: string; value: unknown; problem: string }[] = [];
  const { names, optional } = FIELDS[entity];
  for (const field of names) {
    const value = (row as Record<string, unknown>)[field];
    if (optional && value == null) continue;
    const { problem } = readStoredDuration(value);
    if (problem) out.push({ field, value, problem });
  }
  return out;
}

export function storedDurationProblems(snapshot: Pick<GovernanceSnapshot, 'budgets' | 'rateLimits'>): StoredDurationProblem[] {
  const out: StoredDurationProblem[] = [];
  const collect = (entity: DurationOwner, row: { id: string }) => {
    for (const p of durationProblemsOf(entity, row)) {
      out.push({ entity, id: row.id, field: p.field, value: String(p.value).slice(0, MAX_DURATION_TEXT), problem: p.problem });
    }
  };
  for (const budget of snapshot.budgets) collect('budget', budget);
  for (const rl of snapshot.rateLimits) collect('rate_limit', rl);
  return out;
}

// Picks the provider key for one upstream attempt: among enabled keys whose model allow-list
// admits the model (empty or "*" = every model), weighted random with weights scaled ×100 to
// integers, as Bifrost does. Keys the retry loop has ruled out for this request are skipped.
// Allocation-free on the hot path: two passes over the key list, no candidate array.
import type { Random } from '../ports.js';
import type { ProviderKey } from '../runtime-config.js';

export function keyAllowsModel(key: ProviderKey, model: string): boolean {
  if (key.enabled === false) return false;
  const models = key.models;
  if (!models || models.length === 0) return true;
  for (const m of models) if (m === '*' || m === model) return true;
  return false;
}

function scaledWeight(key: ProviderKey): number {
  const w = Math.round((Number.isFinite(key.weight) ? key.weight : 1) * 100);
  return w > 0 ? w : 0;
}

/** Keys that could serve `model` at all (ignores exclusions). */
export function countCandidates(keys: readonly ProviderKey[], model: string): number {
  let n = 0;
  for (const key of keys) if (keyAllowsModel(key, model)) n++;
  return n;
}

/** A weighted-random eligible key, or undefined when none is left. */
export function selectKey(keys: readonly ProviderKey[], model: string, random: Random,
  exclude?: ReadonlySet<string>): ProviderKey | undefined {
  let total = 0;
  let count = 0;
  let only: ProviderKey | undefined;
  for (const key of keys) {
    if (!keyAllowsModel(key, model) || exclude?.has(key.id)) continue;
    total += scaledWeight(key);
    count++;
    only = key;
  }
  if (count <= 1) return only;
  // All weights zero: fall back to a uniform pick rather than refusing to serve.
  const uniform = total === 0;
  let pick = Math.floor(random.next() * (uniform ? count : total));
  for (const key of keys) {
    if (!keyAllowsModel(key, model) || exclude?.has(key.id)) continue;
    pick -= uniform ? 1 : scaledWeight(key);
    if (pick < 0) return key;
  }
  return only;
}

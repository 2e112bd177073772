// VK provider routing: a model sent without a provider prefix is resolved through the virtual
// key's provider configs — weighted random among the configs that allow the model and are not
// over a rate limit or budget — and, when the caller sent no fallbacks, the other eligible
// providers become fallbacks, heaviest first.
import type { ModelRef, Random } from '../../core/index.js';
import { modelAllowedBy, type AllowListOptions } from './access.js';
import type { ProviderConfig, VirtualKey } from './state.js';

export interface RouteChoice {
  target: ModelRef;
  fallbacks: ModelRef[];
}

export function routeBareModel(vk: VirtualKey, model: string, options: AllowListOptions & {
  random: Random;
  /** False when the config's own limits are exhausted. */
  hasRoom: (pc: ProviderConfig) => boolean;
}): RouteChoice | undefined {
  const eligible = vk.provider_configs.filter((pc) => modelAllowedBy(pc, model, options));
  if (eligible.length === 0) return undefined;
  const open = eligible.filter((pc) => options.hasRoom(pc));
  const pool = open.length > 0 ? open : eligible;
  const chosen = weightedPick(pool, options.random);
  const fallbacks = pool
    .filter((pc) => pc !== chosen)
    .sort((a, b) => b.weight - a.weight)
    .map((pc) => ({ provider: pc.provider, model }));
  return { target: { provider: chosen.provider, model }, fallbacks };
}

function weightedPick(pool: ProviderConfig[], random: Random): ProviderConfig {
  const total = pool.reduce((sum, pc) => sum + Math.max(0, pc.weight), 0);
  if (total <= 0) return pool[0] as ProviderConfig;
  let point = random.next() * total;
  for (const pc of pool) {
    point -= Math.max(0, pc.weight);
    if (point < 0) return pc;
  }
  return pool[pool.length - 1] as ProviderConfig;
}

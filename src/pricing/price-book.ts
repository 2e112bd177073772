// Model prices and the cost of a request. Prices are per token in USD, keyed `provider/model`, from
// the bundled table (pricing.json, refreshed by scripts/refresh-pricing.mjs) plus optional
// overrides. A versioned model name (`gpt-4o-2024-08-06`) falls back to the longest priced prefix
// of the same provider, so dated snapshots are charged like their family.
import type { Usage } from '../core/index.js';

export interface ModelPrice {
  input_cost_per_token: number;
  output_cost_per_token: number;
  /** Price of prompt tokens served from the provider's cache; input price when absent. */
  cache_read_input_token_cost?: number;
}

export interface PricingTable {
  models: Readonly<Record<string, ModelPrice>>;
}

export interface PriceBook {
  price(provider: string, model: string): ModelPrice | undefined;
  /** USD for a usage block; undefined when the model is not priced. */
  cost(provider: string, model: string, usage: Usage): number | undefined;
}

export function createPriceBook(table: PricingTable, overrides: Readonly<Record<string, ModelPrice>> = {}): PriceBook {
  const models = new Map<string, ModelPrice>(Object.entries(table.models));
  for (const [key, price] of Object.entries(overrides)) models.set(key, price);
  const memo = new Map<string, ModelPrice | null>();

  const price = (provider: string, model: string): ModelPrice | undefined => {
    const key = `${provider}/${model}`;
    const hit = memo.get(key);
    if (hit !== undefined) return hit ?? undefined;
    const found = models.get(key) ?? longestPrefix(models, provider, model);
    if (memo.size < 10_000) memo.set(key, found ?? null);
    return found;
  };

  return {
    price,
    cost(provider, model, usage) {
      const p = price(provider, model);
      if (!p) return undefined;
      return costOf(p, usage);
    },
  };
}

export function costOf(price: ModelPrice, usage: Usage): number {
  const cached = Math.min(usage.cached_prompt_tokens ?? 0, usage.prompt_tokens);
  const cachedPrice = price.cache_read_input_token_cost ?? price.input_cost_per_token;
  return (usage.prompt_tokens - cached) * price.input_cost_per_token
    + cached * cachedPrice
    + usage.completion_tokens * price.output_cost_per_token;
}

function longestPrefix(models: Map<string, ModelPrice>, provider: string, model: string): ModelPrice | undefined {
  let best: { length: number; price: ModelPrice } | undefined;
  const prefix = `${provider}/`;
  for (const [key, price] of models) {
    if (!key.startsWith(prefix)) continue;
    const name = key.slice(prefix.length);
    if (model.startsWith(`${name}-`) && (!best || name.length > best.length)) best = { length: name.length, price };
  }
  return best?.price;
}

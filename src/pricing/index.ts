// The pricing module's public surface: the bundled table and the price book built from it.
import { readFileSync } from 'node:fs';
import type { PricingTable } from './price-book.js';

export * from './price-book.js';

/** Reads the bundled pricing.json (shipped next to this file). */
export function loadBundledPricing(): PricingTable {
  const url = new URL('./pricing.json', import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as PricingTable;
}

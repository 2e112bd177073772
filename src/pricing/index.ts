// The pricing module's public surface: the bundled table and the price book built from it.
// The table is imported as JSON so the build copies it next to the compiled code.
import bundled from './pricing.json' with { type: 'json' };
import type { PricingTable } from './price-book.js';

export * from './price-book.js';

/** The bundled price table (src/pricing/pricing.json). */
export function loadBundledPricing(): PricingTable {
  return bundled as PricingTable;
}

// Resolve hook for the swap test: when src/core/index.ts imports ./usage-counters.js, hand it the
// shim instead, so every InMemoryUsageCounters the governance code and its tests create is a
// ClusterUsageCounters alone on an in-memory hub.
const shim = new URL('./usage-counters-shim.ts', import.meta.url).href;

export async function resolve(specifier, context, next) {
  if (specifier === './usage-counters.js' && context.parentURL?.endsWith('/src/core/index.ts')) {
    return next(shim, context);
  }
  return next(specifier, context);
}

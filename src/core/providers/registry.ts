// Maps a configured provider name to the adapter that speaks its dialect: the built-in
// OpenAI-compatible vendors by name, and custom providers by `custom_provider_config.
// base_provider_type`. One registry per gateway; adapters are created lazily and reused.
import type { ProviderConfig } from '../runtime-config.js';
import type { ProviderAdapter } from './adapter.js';
import { createOpenAICompatibleAdapter } from './openai-compatible/adapter.js';
import { customOpenAIVendor, openAIVendors } from './openai-compatible/vendors.js';

export interface ProviderRegistry {
  /** The adapter for `provider` as configured, or undefined when no dialect fits. */
  resolve(provider: string, config: Readonly<ProviderConfig> | undefined): ProviderAdapter | undefined;
  /** Whether the name is a built-in provider (configured or not). */
  isKnown(provider: string): boolean;
}

export function createProviderRegistry(): ProviderRegistry {
  const vendors = openAIVendors();
  const adapters = new Map<string, ProviderAdapter>();
  return {
    isKnown: (provider) => vendors.has(provider),
    resolve(provider, config) {
      const base = config?.custom_provider_config?.base_provider_type;
      const cacheKey = base ? `custom:${base}:${provider}` : provider;
      const cached = adapters.get(cacheKey);
      if (cached) return cached;
      let adapter: ProviderAdapter | undefined;
      if (base === 'openai') adapter = createOpenAICompatibleAdapter(customOpenAIVendor(provider));
      else if (!base) {
        const vendor = vendors.get(provider);
        if (vendor) adapter = createOpenAICompatibleAdapter(vendor);
      }
      if (adapter) adapters.set(cacheKey, adapter);
      return adapter;
    },
  };
}

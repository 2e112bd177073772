// Zero-config start: with no config.json, Bifrost configures a provider for each well-known API key
// found in the environment. Values stay `env.VAR` references so they resolve (and are redacted)
// exactly like references written in a config file.

/** Provider → env variables that may hold its key, first found wins. */
export const PROVIDER_ENV_KEYS: Readonly<Record<string, readonly string[]>> = {
  openai: ['OPENAI_API_KEY', 'OPENAI_KEY'],
  anthropic: ['ANTHROPIC_API_KEY', 'ANTHROPIC_KEY'],
  mistral: ['MISTRAL_API_KEY', 'MISTRAL_KEY'],
  groq: ['GROQ_API_KEY'],
  gemini: ['GEMINI_API_KEY'],
  cohere: ['COHERE_API_KEY'],
  openrouter: ['OPENROUTER_API_KEY'],
  deepseek: ['DEEPSEEK_API_KEY'],
  xai: ['XAI_API_KEY'],
  cerebras: ['CEREBRAS_API_KEY'],
  together: ['TOGETHER_API_KEY'],
  fireworks: ['FIREWORKS_API_KEY'],
  perplexity: ['PERPLEXITY_API_KEY'],
};

export function detectProvidersFromEnv(env: Readonly<Record<string, string | undefined>>): Record<string, unknown> {
  const providers: Record<string, unknown> = {};
  for (const [provider, names] of Object.entries(PROVIDER_ENV_KEYS)) {
    const name = names.find((candidate) => (env[candidate] ?? '') !== '');
    if (!name) continue;
    providers[provider] = {
      keys: [{ name: `${provider}-env`, value: `env.${name}`, models: ['*'], weight: 1 }],
    };
  }
  return providers;
}

#!/usr/bin/env node
// Refreshes the bundled pricing table (src/pricing/pricing.json) from a LiteLLM-format price sheet
// (`model_prices_and_context_window.json`: per-token input/output/cache-read prices keyed by model,
// with `litellm_provider`). Usage:
//   node scripts/refresh-pricing.mjs [URL-or-file] [--out path] [--dry-run]
// The default source is LiteLLM's sheet on GitHub. Entries of providers we do not route to are
// skipped; models already in the table but absent from the sheet are kept. Never run by tests.
import { readFileSync, writeFileSync } from 'node:fs';

const DEFAULT_SOURCE = 'https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json';
// LiteLLM provider name → Bifrost provider name.
const PROVIDERS = {
  openai: 'openai', text_completion_openai: 'openai', anthropic: 'anthropic', gemini: 'gemini',
  mistral: 'mistral', groq: 'groq', deepseek: 'deepseek', xai: 'xai', cohere: 'cohere',
  cohere_chat: 'cohere', cerebras: 'cerebras', perplexity: 'perplexity', fireworks_ai: 'fireworks',
  openrouter: 'openrouter',
};
const MODES = new Set(['chat', 'completion', 'embedding', 'responses']);

const args = process.argv.slice(2);
const outIndex = args.indexOf('--out');
const out = outIndex >= 0 ? args[outIndex + 1] : new URL('../src/pricing/pricing.json', import.meta.url).pathname;
const dryRun = args.includes('--dry-run');
const source = args.find((a, i) => !a.startsWith('--') && i !== outIndex + 1) ?? DEFAULT_SOURCE;

const text = /^https?:\/\//.test(source)
  ? await fetch(source).then((r) => {
    if (!r.ok) throw new Error(`GET ${source}: HTTP ${r.status}`);
    return r.text();
  })
  : readFileSync(source, 'utf8');
const sheet = JSON.parse(text);

const current = JSON.parse(readFileSync(out, 'utf8'));
const models = { ...current.models };
let added = 0;
let updated = 0;
for (const [key, entry] of Object.entries(sheet)) {
  if (!entry || typeof entry !== 'object' || key === 'sample_spec') continue;
  const provider = PROVIDERS[entry.litellm_provider];
  if (!provider || (entry.mode && !MODES.has(entry.mode))) continue;
  const input = Number(entry.input_cost_per_token);
  const output = Number(entry.output_cost_per_token ?? 0);
  if (!Number.isFinite(input) || !Number.isFinite(output)) continue;
  const name = key.startsWith(`${entry.litellm_provider}/`) ? key.slice(entry.litellm_provider.length + 1) : key;
  const price = { input_cost_per_token: input, output_cost_per_token: output };
  const cached = Number(entry.cache_read_input_token_cost);
  if (Number.isFinite(cached)) price.cache_read_input_token_cost = cached;
  const id = `${provider}/${name}`;
  if (models[id]) updated += 1; else added += 1;
  models[id] = price;
}
const sorted = Object.fromEntries(Object.entries(models).sort(([a], [b]) => a.localeCompare(b)));
const doc = { source, updated: new Date().toISOString().slice(0, 10), models: sorted };
console.log(`pricing: ${added} added, ${updated} updated, ${Object.keys(sorted).length} total (from ${source})`);
if (!dryRun) writeFileSync(out, `${JSON.stringify(doc, null, 1)}\n`);

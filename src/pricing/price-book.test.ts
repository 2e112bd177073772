// Cost per request from the bundled table: input, output and cached-input prices.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPriceBook, loadBundledPricing } from './index.js';

test('bundled table prices common models of every major provider', () => {
  const book = createPriceBook(loadBundledPricing());
  for (const [p, m] of [['openai', 'gpt-4o-mini'], ['anthropic', 'claude-3-5-sonnet-20241022'],
    ['gemini', 'gemini-2.0-flash'], ['mistral', 'mistral-large-latest'], ['groq', 'llama-3.1-8b-instant']] as const) {
    const price = book.price(p, m);
    assert.ok(price && price.input_cost_per_token > 0 && price.output_cost_per_token > 0, `${p}/${m} priced`);
  }
});

test('cost = uncached input + cached input + output', () => {
  const book = createPriceBook(loadBundledPricing());
  // gpt-4o: $2.5 / $10 / $1.25 per 1M
  const cost = book.cost('openai', 'gpt-4o', { prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500, cached_prompt_tokens: 400 })!;
  assert.ok(Math.abs(cost - (600 * 2.5 + 400 * 1.25 + 500 * 10) / 1e6) < 1e-12, String(cost));
});

test('dated snapshots fall back to their family; unknown models are unpriced; overrides win', () => {
  const book = createPriceBook(loadBundledPricing(), { 'openai/my-ft': { input_cost_per_token: 1, output_cost_per_token: 2 } });
  assert.deepEqual(book.price('openai', 'gpt-4o-2024-08-06'), book.price('openai', 'gpt-4o'));
  assert.deepEqual(book.price('openai', 'gpt-4o-mini-2024-07-18'), book.price('openai', 'gpt-4o-mini'));
  assert.equal(book.cost('openai', 'no-such-model', { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 }), undefined);
  assert.equal(book.cost('openai', 'my-ft', { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 }), 3);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLogQuery, DEFAULT_LIMIT } from './query-params.js';

test('defaults: newest first, 50 per page', () => {
  const parsed = parseLogQuery({});
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.query, { limit: DEFAULT_LIMIT, offset: 0, sort_by: 'timestamp', order: 'desc' });
});

test('lists accept commas and repeated keys; times accept RFC 3339 and epoch ms', () => {
  const parsed = parseLogQuery({
    providers: 'openai, anthropic', models: ['gpt-4o', 'gpt-4o-mini,o1'], status: 'success,error', objects: 'chat.completion',
    start_time: '2026-11-24T10:00:00Z', end_time: '1800000000000', min_latency: '10', max_latency: '2000.5',
    min_tokens: '1', max_tokens: '100', min_cost: '0', max_cost: '1e-2', content_search: '  hello  ',
    limit: '10', offset: '20', sort_by: 'cost', order: 'ASC',
  });
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.query, {
    providers: ['openai', 'anthropic'], models: ['gpt-4o', 'gpt-4o-mini', 'o1'], status: ['success', 'error'],
    objects: ['chat.completion'], start_time: Date.UTC(2026, 10, 24, 10), end_time: 1800000000000, min_latency: 10,
    max_latency: 2000.5, min_tokens: 1, max_tokens: 100, min_cost: 0, max_cost: 0.01, content_search: 'hello',
    limit: 10, offset: 20, sort_by: 'cost', order: 'asc',
  });
});

test('each malformed parameter is a 400 naming it', () => {
  const cases: Array<[Record<string, string | string[]>, string]> = [
    [{ limit: '1001' }, 'limit'], [{ limit: '2.5' }, 'limit'], [{ offset: 'x' }, 'offset'], [{ sort_by: 'name' }, 'sort_by'],
    [{ order: 'sideways' }, 'order'], [{ start_time: 'March 7' }, 'start_time'], [{ end_time: '2026-13-45T99:00:00Z' }, 'end_time'],
    [{ start_time: '2000', end_time: '1000' }, 'end_time'], [{ max_tokens: '-3' }, 'max_tokens'], [{ min_cost: '1', max_cost: '0.5' }, 'max_cost'],
    [{ status: 'ok' }, 'status'], [{ limit: ['1', '2'] }, 'limit'], [{ content_search: 'x'.repeat(501) }, 'content_search'],
    [{ foo: 'bar' }, 'foo'], [{ min_latency: '0x10' }, 'min_latency'],
  ];
  for (const [raw, param] of cases) {
    const parsed = parseLogQuery(raw);
    assert.ok(!parsed.ok, JSON.stringify(raw));
    assert.equal(parsed.error.status, 400);
    assert.equal(parsed.error.param, param, JSON.stringify(raw));
    assert.match(parsed.error.message, new RegExp(`"${param}"`));
  }
});

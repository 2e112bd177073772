import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLogQuery, DEFAULT_LIMIT, MAX_EPOCH_MS, MAX_LIMIT, MAX_TOKENS } from './query-params.js';

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

test('every numeric parameter out of range is a 400 with a precise message, not a value for the store', () => {
  const cases: Array<[Record<string, string>, string, RegExp]> = [
    [{ offset: '1e99' }, 'offset', /"1e99" is not a non-negative integer/],
    [{ offset: '9007199254740992' }, 'offset', /must be at most 9007199254740991/],
    [{ offset: '99999999999999999999999' }, 'offset', /must be at most 9007199254740991/],
    [{ offset: '-1' }, 'offset', /"-1" is not a non-negative integer/],
    [{ offset: '1.0' }, 'offset', /"1\.0" is not a non-negative integer/],
    [{ limit: '0' }, 'limit', /must be at least 1/],
    [{ limit: '1e3' }, 'limit', /"1e3" is not a non-negative integer/],
    [{ limit: '1001' }, 'limit', /must be at most 1000/],
    [{ min_tokens: '2147483648' }, 'min_tokens', /must be at most 2147483647/],
    [{ max_tokens: '1.5' }, 'max_tokens', /"1\.5" is not a non-negative integer/],
    [{ max_tokens: '1e99' }, 'max_tokens', /"1e99" is not a non-negative integer/],
    [{ start_time: '8640000000000001' }, 'start_time', /at most 8640000000000000/],
    [{ end_time: '1'.repeat(400) }, 'end_time', /at most 8640000000000000/],
    [{ min_latency: '1e999' }, 'min_latency', /"1e999" is not a finite number/],
    [{ max_cost: '-0.5' }, 'max_cost', /must be at least 0/],
    [{ max_cost: 'Infinity' }, 'max_cost', /not a finite number/],
  ];
  for (const [raw, param, message] of cases) {
    const parsed = parseLogQuery(raw);
    assert.ok(!parsed.ok, JSON.stringify(raw));
    assert.equal(parsed.error.status, 400);
    assert.equal(parsed.error.param, param, JSON.stringify(raw));
    assert.match(parsed.error.message, message, JSON.stringify(raw));
  }
});

test('virtual_key_ids (Bifrost\'s name) filters by virtual key id, comma-separated or repeated', () => {
  const parsed = parseLogQuery({ virtual_key_ids: ['vk-1, vk-2', 'vk-3'] });
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.query.virtual_key_ids, ['vk-1', 'vk-2', 'vk-3']);
});

test('the largest values in range are accepted', () => {
  const parsed = parseLogQuery({
    offset: String(Number.MAX_SAFE_INTEGER), limit: String(MAX_LIMIT), max_tokens: String(MAX_TOKENS),
    end_time: String(MAX_EPOCH_MS), max_cost: '1e300', max_latency: '1e300',
  });
  assert.ok(parsed.ok);
  assert.equal(parsed.query.offset, Number.MAX_SAFE_INTEGER);
  assert.equal(parsed.query.max_tokens, MAX_TOKENS);
  assert.equal(parsed.query.end_time, MAX_EPOCH_MS);
});

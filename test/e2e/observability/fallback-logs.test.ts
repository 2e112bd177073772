// Request logs for a request that falls back, as Bifrost writes them: the request's own row (its
// `x-bifrost-request-id`) holds the primary's failure, and the fallback that answered gets a row of
// its own whose `parent_request_id` is the request's id. A request that succeeds first time keeps
// one row.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startObservedGateway, type ObservedGateway } from './support/gateway.js';
import { waitFor } from '../../support/wait.js';

let g: ObservedGateway;
before(async () => {
  g = await startObservedGateway();
});
after(() => g.stop());

test('a fallback gets its own row pointing at the request; the request row keeps the primary failure', async () => {
  g.upstream.failNext(1, 500);
  const res = await fetch(`${g.url}/v1/chat/completions`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'openai/gpt-4o-mini', fallbacks: ['openai/gpt-4o'], messages: [{ role: 'user', content: 'fall back please' }] }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  await res.arrayBuffer();
  const requestId = res.headers.get('x-bifrost-request-id')!;

  const rows = await waitFor(async () => {
    const body = await (await fetch(`${g.url}/api/logs?sort_by=timestamp&order=asc`)).json() as { logs: any[] };
    return body.logs.length === 2 && body.logs.every((l) => l.status !== 'processing') ? body.logs : undefined;
  }, { message: 'two finished log rows' });
  const primary = rows.find((l) => l.id === requestId);
  const fallback = rows.find((l) => l.id !== requestId);
  assert.ok(primary && fallback, JSON.stringify(rows));
  assert.equal(primary.status, 'error');
  assert.equal(primary.model, 'gpt-4o-mini');
  assert.equal(primary.fallback_index, 0);
  assert.equal(primary.error_details.status_code, 500);
  assert.equal(primary.parent_request_id, null);
  assert.deepEqual(primary.input_history, [{ role: 'user', content: 'fall back please' }]);
  assert.equal(fallback.status, 'success');
  assert.equal(fallback.parent_request_id, requestId);
  assert.equal(fallback.model, 'gpt-4o');
  assert.equal(fallback.fallback_index, 1);
  assert.deepEqual(fallback.input_history, [{ role: 'user', content: 'fall back please' }]);
  assert.equal(fallback.output_message.role, 'assistant');
  assert.ok(fallback.token_usage.total_tokens > 0);
});

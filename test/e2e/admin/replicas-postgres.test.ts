// Two gateway replicas sharing one PostgreSQL config store take admin writes at the same time:
// every write runs under the store-wide lock and starts from the stored rows, so none is lost —
// each replica sees all of them (through config sync, or after its own next write at the latest),
// and so does a restart.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startPostgres, type TestPostgres } from '../../support/postgres.js';
import { startAdminStack, type AdminStack } from './harness.js';

let postgres: TestPostgres;
let replicas: AdminStack[] = [];

const file = (block: Record<string, unknown>) => ({
  config_store: block,
  providers: { openai: { keys: [{ name: 'k', value: 'sk-shared-file-key-000' }] } },
});

before(async () => {
  postgres = await startPostgres();
  const config = await postgres.createDatabase('replicas');
  const block = { enabled: true, type: 'postgres', config };
  replicas = [await startAdminStack(file(block)), await startAdminStack(file(block))];
});
after(async () => {
  for (const replica of replicas) await replica.close();
  await postgres?.stop();
});

test('50 concurrent writes spread over two replicas: none lost', async () => {
  const writes = Array.from({ length: 50 }, (_, i) => replicas[i % 2]!.api('POST', '/api/providers', {
    provider: `r${i}`, keys: [{ name: 'k', value: `sk-replica-${i}-xxxxxxxx` }],
  }));
  const results = await Promise.all(writes);
  assert.deepEqual(results.filter((r) => r.status !== 200).map((r) => r.text), []);
  // One more write on each replica: it starts from the stored rows, so it publishes all 50.
  for (const [index, replica] of replicas.entries()) {
    const put = await replica.api('PUT', '/api/providers/openai', { network_config: { max_retries: index + 1 } });
    assert.equal(put.status, 200, put.text);
    const list = await replica.api('GET', '/api/providers');
    assert.equal(list.body.providers.filter((p: { name: string }) => /^r\d+$/.test(p.name)).length, 50, `replica ${index}`);
  }
});

test('concurrent edits of different parts of one provider on two replicas both survive', async () => {
  for (let round = 0; round < 5; round += 1) {
    const [a, b] = await Promise.all([
      replicas[0]!.api('PUT', '/api/providers/openai', { network_config: { max_retries: 10 + round } }),
      replicas[1]!.api('PUT', '/api/providers/openai', { keys: [{ name: `key-${round}`, value: `sk-round-${round}-xxxxxxxxxx` }] }),
    ]);
    assert.equal(a.status, 200, a.text);
    assert.equal(b.status, 200, b.text);
    const stored = await replicas[0]!.api('PUT', '/api/providers/openai', {});
    assert.equal(stored.body.network_config.max_retries, 10 + round, `round ${round}: the network edit survived`);
    assert.deepEqual(stored.body.keys.map((k: { name: string }) => k.name), [`key-${round}`], `round ${round}: the keys edit survived`);
  }
});

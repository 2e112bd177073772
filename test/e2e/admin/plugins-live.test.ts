// Plugin edits through the admin API reach live traffic without a restart: enabling the
// bifrost-mocker makes the very next request answer from it, changing its rules changes the next
// answer, disabling it sends traffic back to the provider; a config the plugin rejects leaves the
// running instance in place, and the admin API refuses it with a 400 naming the key.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeOpenAI, type FakeOpenAI } from '../../support/fake-openai-upstream.js';
import { startAdminStack, type AdminStack } from './harness.js';

let fake: FakeOpenAI;
let stack: AdminStack;

before(async () => {
  fake = await startFakeOpenAI();
  stack = await startAdminStack({
    config_store: { enabled: true, type: 'sqlite', config: { path: ':memory:' } },
    providers: { openai: { keys: [{ name: 'k', value: 'sk-live', models: ['*'], weight: 1 }], network_config: { base_url: fake.origin } } },
  });
});
after(async () => {
  await stack?.close();
  await fake?.close();
});

const mocker = (content: string) => ({
  enabled: true,
  default_behavior: 'success',
  rules: [{ name: 'all', enabled: true, priority: 1, probability: 1, conditions: {}, responses: [{ type: 'success', weight: 1, content: { message: content } }] }],
});

async function answer(): Promise<{ text: string; upstreamCalls: number }> {
  const before = fake.requests.length;
  const response = await stack.chat();
  assert.equal(response.status, 200);
  const body = await response.json() as { choices: Array<{ message: { content: string } }> };
  return { text: body.choices[0]!.message.content, upstreamCalls: fake.requests.length - before };
}

test('enable, edit and disable the mocker through /api/plugins: each change applies to the next request', async () => {
  assert.equal((await answer()).upstreamCalls, 1, 'no mocker yet: the provider answers');

  const created = await stack.api('POST', '/api/plugins', { name: 'bifrost-mocker', enabled: true, config: mocker('first rules') });
  assert.ok(created.status < 300, created.text);
  assert.deepEqual(await answer(), { text: 'first rules', upstreamCalls: 0 });

  const edited = await stack.api('PUT', '/api/plugins/bifrost-mocker', { enabled: true, config: mocker('second rules') });
  assert.ok(edited.status < 300, edited.text);
  assert.deepEqual(await answer(), { text: 'second rules', upstreamCalls: 0 });

  const rejected = await stack.api('PUT', '/api/plugins/bifrost-mocker', { enabled: true, config: { rules: 'not a list' } });
  assert.equal(rejected.status, 400, rejected.text);
  assert.match(rejected.text, /rules/, 'the 400 names the bad key');
  assert.deepEqual(await answer(), { text: 'second rules', upstreamCalls: 0 }, 'the running mocker is untouched');

  const disabled = await stack.api('PUT', '/api/plugins/bifrost-mocker', { enabled: false });
  assert.ok(disabled.status < 300, disabled.text);
  assert.equal((await answer()).upstreamCalls, 1, 'disabled: the provider answers again');
});

// The shipped example config answers offline: the bifrost-mocker plugin short-circuits every
// request, so no upstream exists at all and no API key is needed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { silentLogger } from '../../../src/core/index.js';
import { loadAppConfig } from '../../../src/config/index.js';
import { startGateway, type RunningGateway } from '../../../src/main.js';

const exampleDir = fileURLToPath(new URL('../../../examples/mocker', import.meta.url));
let gw: RunningGateway;
let client: OpenAI;
let appDir: string;

before(async () => {
  // A private copy: whatever the gateway writes into its app dir (stores) stays out of examples/.
  appDir = await mkdtemp(join(tmpdir(), 'bifrost-mocker-'));
  await cp(join(exampleDir, 'config.json'), join(appDir, 'config.json'));
  const loaded = await loadAppConfig(appDir, {});
  gw = await startGateway({ port: 0, host: '127.0.0.1', loaded, logger: silentLogger, env: {} });
  client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'none', maxRetries: 0 });
});
after(async () => {
  await gw?.close();
  await rm(appDir, { recursive: true, force: true });
});

test('examples/mocker answers a chat request with no upstream and no API key', async () => {
  const { data, response } = await client.chat.completions
    .create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Hello!' }] }).withResponse();
  assert.match(data.choices[0]?.message.content ?? '', /Hello from the Bifrost mocker! You asked openai\/gpt-4o-mini/);
  assert.deepEqual(data.usage, { prompt_tokens: 12, completion_tokens: 16, total_tokens: 28 });
  assert.equal(response.headers.get('x-bifrost-provider'), 'openai');
});

test('mocked streams arrive as SSE chunks the SDK can read', async () => {
  const stream = await client.chat.completions.create({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hey there' }], stream: true });
  const pieces: string[] = [];
  for await (const chunk of stream) {
    const content = chunk.choices[0]?.delta?.content;
    if (content) pieces.push(content);
  }
  assert.ok(pieces.length > 3, `got ${pieces.length} chunks`);
  assert.match(pieces.join(''), /^Hello from the Bifrost mocker!/);
});

test('a simulated provider error comes back with its status', async () => {
  await assert.rejects(
    client.chat.completions.create({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'please rate limit me' }] }),
    (error: unknown) => error instanceof OpenAI.APIError && error.status === 429 && /Rate limit exceeded/.test(error.message),
  );
});

test('examples/mocker answers embeddings, text completions and the responses API itself', async () => {
  // The SDK asks for base64 vectors by default and decodes them.
  const { data: embeddings, response } = await client.embeddings
    .create({ model: 'openai/text-embedding-3-small', input: ['hello there', 'hi again'] }).withResponse();
  assert.equal(response.headers.get('x-bifrost-provider'), 'openai');
  assert.equal(embeddings.data.length, 2);
  assert.equal(embeddings.data[0]!.embedding.length, 1536);
  assert.ok(Math.abs(Math.hypot(...embeddings.data[0]!.embedding) - 1) < 1e-5);
  const floats = await client.embeddings.create({ model: 'openai/text-embedding-3-small', input: 'hello there', encoding_format: 'float', dimensions: 16 });
  assert.equal(floats.data[0]!.embedding.length, 16);

  const text = await client.completions.create({ model: 'openai/gpt-3.5-turbo-instruct', prompt: 'hello' });
  assert.match(text.choices[0]?.text ?? '', /Hello from the Bifrost mocker!/);
  const answer = await client.responses.create({ model: 'openai/gpt-4o-mini', input: 'hi' });
  assert.match(answer.output_text, /Hello from the Bifrost mocker!/);
});

test('examples/mocker points its provider at a closed local port: what the mocker cannot answer stays on this machine', async () => {
  const baseUrl = gw.config.current().providers.openai?.network_config.base_url ?? '';
  assert.equal(new URL(baseUrl).hostname, '127.0.0.1');
  // Model listing asks providers directly (no plugin sees it): it finds nobody there, and says so with an empty list.
  const models = await fetch(`${gw.url}/v1/models`);
  assert.equal(models.status, 200);
  assert.deepEqual(await models.json(), { object: 'list', data: [] });
});

// Starts the real gateway (startGateway, port 0) in front of the fake OpenAI upstream, with an
// official `openai` SDK client pointed at it. Each test file builds the config it needs.
import OpenAI from 'openai';
import { silentLogger } from '../../../src/core/index.js';
import { parseConfig } from '../../../src/config/index.js';
import { startGateway, type RunningGateway } from '../../../src/main.js';
import { startFakeOpenAI, type FakeOpenAI, type FakeOpenAIOptions } from '../../support/fake-openai-upstream.js';

export interface Stack {
  fake: FakeOpenAI;
  gw: RunningGateway;
  client: OpenAI;
  /** Raw POST to the gateway (for malformed bodies and header checks). */
  post(path: string, body: string, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

export interface StackOptions {
  fake?: FakeOpenAIOptions;
  /** Builds config.json given the fake upstream's origin. */
  config?: (origin: string) => Record<string, unknown>;
}

export function openaiProvider(origin: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    keys: [{ name: 'k1', value: 'sk-test-1', models: ['*'], weight: 1 }],
    network_config: { base_url: origin, max_retries: 0 },
    ...extra,
  };
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const fake = await startFakeOpenAI(options.fake);
  const raw = options.config?.(fake.origin) ?? { providers: { openai: openaiProvider(fake.origin) } };
  let gw: RunningGateway;
  try {
    gw = await startGateway({ port: 0, host: '127.0.0.1', loaded: parseConfig(raw, { env: {}, source: 'test config' }), logger: silentLogger, env: {} });
  } catch (error) {
    await fake.close();
    throw error;
  }
  const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'sk-caller-unused', maxRetries: 0, timeout: 20_000 });
  return {
    fake, gw, client,
    post: (path, body, headers = {}) => fetch(`${gw.url}${path}`, {
      method: 'POST', body, headers: { 'content-type': 'application/json', ...headers },
    }),
    close: async () => {
      await gw.close();
      await fake.close();
    },
  };
}

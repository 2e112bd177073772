// Starts the real gateway (startGateway, as the CLI does) in front of the fake OpenAI upstream,
// with a SQLite logs store in a temporary app dir, for the observability end-to-end tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../../../src/core/index.js';
import { parseConfig } from '../../../../src/config/index.js';
import { startGateway, type RunningGateway } from '../../../../src/main.js';
import { startFakeOpenAI, type FakeOpenAI } from '../../../support/fake-openai-upstream.js';

export interface ObservedGateway {
  gateway: RunningGateway;
  upstream: FakeOpenAI;
  url: string;
  stop(): Promise<void>;
}

export async function startObservedGateway(extra: { client?: Record<string, unknown>; plugins?: unknown[]; logsStore?: unknown } = {}): Promise<ObservedGateway> {
  const upstream = await startFakeOpenAI();
  const dir = mkdtempSync(join(tmpdir(), 'bifrost-obs-'));
  const raw = {
    client: { allowed_origins: ['https://ui.example.com'], ...extra.client },
    providers: { openai: { keys: [{ name: 'main', value: 'sk-test', models: ['*'] }], network_config: { base_url: upstream.origin, max_retries: 0 } } },
    plugins: extra.plugins ?? [],
    ...(extra.logsStore ? { logs_store: extra.logsStore } : {}),
  };
  const loaded = parseConfig(raw, { env: {}, source: 'test' });
  const gateway = await startGateway({ loaded, appDir: dir, port: 0, host: '127.0.0.1', logger: silentLogger, shutdownGraceMs: 2000 });
  return {
    gateway, upstream, url: gateway.url,
    async stop() {
      await gateway.close();
      await upstream.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function chat(url: string, text: string, opts: { headers?: Record<string, string>; stream?: boolean } = {}): Promise<Response> {
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST', headers: { 'content-type': 'application/json', ...opts.headers },
    body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: text }], stream: opts.stream ?? false,
      ...(opts.stream ? { stream_options: { include_usage: true } } : {}) }),
  });
  await res.arrayBuffer();
  return res;
}

// Starts the real gateway (startGateway, port 0) with a config store (SQLite file or a real
// PostgreSQL database) in front of the fake OpenAI upstream, plus small helpers for admin calls.
import { silentLogger } from '../../../src/core/index.js';
import { parseConfig } from '../../../src/config/index.js';
import { startGateway, type RunningGateway } from '../../../src/main.js';

export interface AdminStack {
  gw: RunningGateway;
  url: string;
  api(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; text: string; headers: Headers }>;
  chat(model?: string): Promise<Response>;
  close(): Promise<void>;
}

export async function startAdminStack(raw: Record<string, unknown>, env: Record<string, string> = {}): Promise<AdminStack> {
  const gw = await startGateway({
    port: 0, host: '127.0.0.1', loaded: parseConfig(raw, { env, source: 'test config.json' }), logger: silentLogger, env, shutdownGraceMs: 2_000,
  });
  const api: AdminStack['api'] = async (method, path, body, headers = {}) => {
    const response = await fetch(`${gw.url}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: response.status, body: parsed, text, headers: response.headers };
  };
  return {
    gw, url: gw.url, api,
    chat: (model = 'openai/gpt-4o-mini') => fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    }),
    close: async () => { await gw.close(); },
  };
}

// A governance stack for end-to-end tests: the real engine and HTTP server with the governance
// plugin and its admin routes, its store on a real SQLite file (so a restart can be tested), the
// fake OpenAI upstream, and official `openai` SDK clients authenticated by virtual keys.
import OpenAI from 'openai';
import type { FastifyInstance } from 'fastify';
import { createGateway, silentLogger, systemClock, systemRandom, type Gateway } from '../../../src/core/index.js';
import { ConfigHolder, parseConfig } from '../../../src/config/index.js';
import { createGovernance, type Governance } from '../../../src/plugins/governance/index.js';
import { createPriceBook, loadBundledPricing, type ModelPrice } from '../../../src/pricing/index.js';
import { openDatabase, type Database, type StoreSpec } from '../../../src/storage/database.js';
import { GovernanceStore } from '../../../src/storage/governance/index.js';
import { buildHttpServer } from '../../../src/transports/http/index.js';
import { bareModelInterceptor, governanceRoutes } from '../../../src/transports/http/governance/index.js';
import type { FakeOpenAI } from '../../support/fake-openai-upstream.js';

/** $0.001 per completion token, prompt free: a 5-token answer costs exactly $0.005. */
export const TEST_PRICES: Record<string, ModelPrice> = {
  'openai/metered': { input_cost_per_token: 0, output_cost_per_token: 0.001 },
};

export interface GovStack {
  url: string;
  governance: Governance;
  gateway: Gateway;
  app: FastifyInstance;
  client(vk?: string): OpenAI;
  close(): Promise<void>;
}

export interface GovStackOptions {
  fake: FakeOpenAI;
  governance: Record<string, unknown>;
  pluginConfig?: Record<string, unknown>;
  client?: Record<string, unknown>;
  /** SQLite file for the governance store; none = in memory only. */
  dbPath?: string;
  /** Any store (e.g. PostgreSQL); wins over dbPath. */
  dbSpec?: StoreSpec;
}

export async function startGovStack(options: GovStackOptions): Promise<GovStack> {
  const loaded = parseConfig({
    client: options.client ?? {},
    providers: {
      openai: { keys: [{ name: 'k1', value: 'sk-upstream', models: ['*'], weight: 1 }], network_config: { base_url: options.fake.origin, max_retries: 0 } },
    },
  }, { env: {}, source: 'governance test config' });
  const holder = new ConfigHolder(loaded.config);
  let database: Database | undefined;
  let store: GovernanceStore | undefined;
  const spec: StoreSpec | undefined = options.dbSpec ?? (options.dbPath ? { type: 'sqlite', config: { path: options.dbPath } } : undefined);
  if (spec) {
    database = openDatabase(spec);
    store = await GovernanceStore.open(database);
  }
  const governance = await createGovernance({
    governance: options.governance, pluginConfig: options.pluginConfig, repository: store,
    pricing: createPriceBook(loadBundledPricing(), TEST_PRICES), client: () => holder.current().client,
    clock: systemClock, random: systemRandom, logger: silentLogger,
  });
  const gateway = createGateway({ config: holder, plugins: [governance.plugin], logger: silentLogger });
  const app = await buildHttpServer({ gateway, config: holder, logger: silentLogger,
    routes: [governanceRoutes({ admin: governance.admin, plugin: governance.plugin })],
    inferenceInterceptors: [bareModelInterceptor(governance.plugin)] });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('gateway did not bind');
  const url = `http://127.0.0.1:${address.port}`;
  return {
    url, governance, gateway, app,
    client: (vk) => new OpenAI({ baseURL: `${url}/v1`, apiKey: vk ?? 'sk-caller-unused', maxRetries: 0, timeout: 20_000 }),
    close: async () => {
      await app.close();
      await gateway.close(); // closes the plugin, which flushes usage
      await database?.close();
    },
  };
}

/** Status and parsed JSON body of a failed SDK call. */
export function apiError(error: unknown): { status: number; body: Record<string, unknown> } {
  const e = error as { status?: number; error?: unknown };
  if (typeof e.status !== 'number') throw error;
  return { status: e.status, body: (e.error ?? {}) as Record<string, unknown> };
}

// The config store's contract, run against every backend (SQLite and a real PostgreSQL): seeding
// from config.json, the "split" reconcile across restarts, CRUD through update(), no lost update
// under 50 concurrent writes, encryption at rest (no plaintext in the raw database), and a clear
// startup failure with a wrong or missing key.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig, type LoadedConfig } from '../../src/config/index.js';
import { openDatabase, type Database, type StoreSpec } from '../../src/storage/database.js';
import { ConfigService, EncryptionKeyError, type StoredProvider } from '../../src/storage/config-store/index.js';

export interface Backend {
  /** A fresh, empty database. */
  fresh(): Promise<{ spec: StoreSpec; raw(): Promise<string> }>;
}

const SECRET = 'sk-live-PLAINTEXT-0123456789abcdef';
const ENV = { OPENAI_KEY: 'sk-from-env-9876543210fedcba' };

function fileConfig(raw: object): LoadedConfig {
  return parseConfig(raw, { env: ENV, source: 'config.json' });
}

const baseFile = {
  providers: {
    openai: { keys: [{ name: 'main', value: SECRET, models: ['gpt-4o'], weight: 1 }, { name: 'env-key', value: 'env.OPENAI_KEY', weight: 2 }] },
    anthropic: { keys: [{ name: 'a', value: 'sk-ant-aaaaaaaaaaaaaaaa' }], network_config: { max_retries: 1 } },
    bedrock: {
      keys: [{ name: 'b', value: '', bedrock_key_config: { access_key: 'AKIA-ACCESS-0000', secret_key: 'aws-SECRET-key-1111' } }],
      proxy_config: { type: 'http', url: 'http://proxy:3128', password: 'proxy-PASSWORD-2222' },
    },
  },
  plugins: [{ name: 'telemetry', enabled: true, config: { token: 'plugin-secret-token' } }],
};

async function withService<T>(spec: StoreSpec, file: LoadedConfig, fn: (service: ConfigService, db: Database) => Promise<T>, encryptionKey?: string): Promise<T> {
  const database = openDatabase(spec);
  try {
    const service = await ConfigService.open({ file, env: ENV, database, encryptionKey });
    return await fn(service, database);
  } finally {
    await database.close();
  }
}

function addKey(provider: StoredProvider, name: string, value: string): void {
  provider.keys.push({ name, id: name, value, valueEnv: null, config: { models: [], weight: 1, enabled: true }, hash: null, deleted: false });
}

export function configStoreContract(name: string, backend: Backend): void {
  describe(`config store contract on ${name}`, () => {
    test('seeds from config.json; env references are kept and resolved', async () => {
      const { spec } = await backend.fresh();
      await withService(spec, fileConfig(baseFile), async (service) => {
        const config = service.current().config;
        assert.deepEqual(Object.keys(config.providers).sort(), ['anthropic', 'bedrock', 'openai']);
        assert.equal(config.providers.openai?.keys[0]?.value, SECRET);
        assert.equal(config.providers.openai?.keys[1]?.value, ENV.OPENAI_KEY);
        assert.equal(service.current().envRefs['providers.openai.keys[1].value'], 'OPENAI_KEY');
        assert.equal(config.providers.anthropic?.network_config.max_retries, 1);
        assert.equal(config.plugins[0]?.name, 'telemetry');
        assert.ok(Object.isFrozen(config.providers.openai));
        assert.equal(await service.refresh(), false, 'the reconciled cache equals the stored rows');
      });
    });

    test('split: API edits survive a restart; file changes win for the rows they touch', async () => {
      const { spec } = await backend.fresh();
      await withService(spec, fileConfig(baseFile), async (service) => {
        await service.update((draft) => {
          const openai = draft.contents.providers.get('openai')!;
          openai.config = { ...openai.config, network_config: { ...(openai.config.network_config as object), max_retries: 7 } };
          addKey(openai, 'api-key', 'sk-added-through-api-xxxx');
          draft.touchProvider('openai');
          draft.contents.providers.set('groq', { name: 'groq', config: {}, hash: null, deleted: false, keys: [] });
          addKey(draft.contents.providers.get('groq')!, 'g', 'gsk-groq-key-value-0000');
          draft.touchProvider('groq');
          draft.contents.providers.get('anthropic')!.deleted = true;
          draft.touchProvider('anthropic');
        });
        assert.equal(service.current().config.providers.openai?.network_config.max_retries, 7);
      });
      // Same file: every API edit is kept, the deleted file provider stays deleted.
      await withService(spec, fileConfig(baseFile), async (service) => {
        const config = service.current().config;
        assert.equal(config.providers.openai?.network_config.max_retries, 7);
        assert.deepEqual(config.providers.openai?.keys.map((k) => k.name), ['main', 'env-key', 'api-key']);
        assert.equal(config.providers.groq?.keys[0]?.value, 'gsk-groq-key-value-0000');
        assert.equal(config.providers.anthropic, undefined);
      });
      // The file changes openai's network config and anthropic: those rows follow the file; API rows stay.
      const changed = structuredClone(baseFile) as typeof baseFile & { providers: { openai: { network_config?: object } } };
      changed.providers.openai.network_config = { max_retries: 3 };
      changed.providers.anthropic.network_config = { max_retries: 2 };
      await withService(spec, fileConfig(changed), async (service) => {
        const config = service.current().config;
        assert.equal(config.providers.openai?.network_config.max_retries, 3);
        assert.deepEqual(config.providers.openai?.keys.map((k) => k.name), ['main', 'env-key', 'api-key']);
        assert.equal(config.providers.anthropic?.network_config.max_retries, 2);
        assert.ok(config.providers.groq);
      });
    });

    test('source_of_truth config.json prunes store-only rows', async () => {
      const { spec } = await backend.fresh();
      await withService(spec, fileConfig(baseFile), (service) => service.update((draft) => {
        draft.contents.providers.set('groq', { name: 'groq', config: {}, hash: null, deleted: false, keys: [] });
        draft.touchProvider('groq');
      }));
      await withService(spec, fileConfig({ ...baseFile, source_of_truth: 'config.json' }), async (service) => {
        assert.deepEqual(Object.keys(service.current().config.providers).sort(), ['anthropic', 'bedrock', 'openai']);
      });
    });

    test('50 concurrent updates lose nothing, in memory or in the database', async () => {
      const { spec } = await backend.fresh();
      await withService(spec, fileConfig(baseFile), async (service) => {
        await Promise.all(Array.from({ length: 50 }, (_, i) => service.update((draft) => {
          addKey(draft.contents.providers.get('openai')!, `k${i}`, `sk-concurrent-${i}-padding`);
          draft.touchProvider('openai');
        })));
        assert.equal(service.current().config.providers.openai?.keys.length, 52);
      });
      await withService(spec, fileConfig(baseFile), async (service) => {
        assert.equal(service.current().config.providers.openai?.keys.length, 52);
      });
    });

    test('two replicas on one database: a write starts from the stored rows, so no edit is lost', async () => {
      const { spec } = await backend.fresh();
      const a = openDatabase(spec);
      const b = openDatabase(spec);
      try {
        const replicaA = await ConfigService.open({ file: fileConfig(baseFile), env: ENV, database: a });
        const replicaB = await ConfigService.open({ file: fileConfig(baseFile), env: ENV, database: b });
        await replicaA.update((draft) => {
          draft.contents.providers.set('from_a', { name: 'from_a', config: {}, hash: null, deleted: false, keys: [] });
          draft.touchProvider('from_a');
        });
        // B's cache predates A's write; its write must not drop A's provider.
        await replicaB.update((draft) => {
          draft.contents.providers.set('from_b', { name: 'from_b', config: {}, hash: null, deleted: false, keys: [] });
          draft.touchProvider('from_b');
        });
        assert.ok(replicaB.current().config.providers.from_a, 'B sees A\'s edit after its own write');
        // A learns of B's edit through refresh() (what cluster sync calls on a change notice).
        const published: string[][] = [];
        replicaA.subscribe((snapshot) => published.push(Object.keys(snapshot.config.providers)));
        assert.equal(await replicaA.refresh(), true);
        assert.ok(replicaA.current().config.providers.from_b);
        assert.equal(published.length, 1);
        assert.equal(await replicaA.refresh(), false, 'nothing new → no publish');
      } finally {
        await a.close();
        await b.close();
      }
      await withService(spec, fileConfig(baseFile), async (service) => {
        assert.ok(service.current().config.providers.from_a && service.current().config.providers.from_b);
      });
    });

    test('a change that fails validation changes nothing', async () => {
      const { spec } = await backend.fresh();
      await withService(spec, fileConfig(baseFile), async (service) => {
        await assert.rejects(service.update((draft) => {
          draft.contents.providers.get('openai')!.config = { network_config: { max_retries: 'many' } };
          draft.touchProvider('openai');
        }), /max_retries/);
        assert.equal(service.current().config.providers.openai?.network_config.max_retries, 0);
      });
      await withService(spec, fileConfig(baseFile), async (service) => {
        assert.equal(service.current().config.providers.openai?.network_config.max_retries, 0);
      });
    });

    test('with an encryption key no secret is in the raw database; wrong or missing key fails clearly', async () => {
      const { spec, raw } = await backend.fresh();
      await withService(spec, fileConfig(baseFile), async (service) => {
        assert.equal(service.cipher.encrypted, true);
      }, 'my-encryption-key');
      const dump = await raw();
      assert.ok(dump.includes('config_keys'), 'the raw dump covers the config tables');
      for (const secret of [SECRET, ENV.OPENAI_KEY, 'sk-ant-aaaaaaaaaaaaaaaa', 'plugin-secret-token', 'aws-SECRET-key-1111', 'proxy-PASSWORD-2222']) {
        assert.ok(!dump.includes(secret), `secret ${secret.slice(0, 8)}… found in the raw database`);
      }
      await withService(spec, fileConfig(baseFile), async (service) => {
        assert.equal(service.current().config.providers.openai?.keys[0]?.value, SECRET);
        const bedrock = service.current().config.providers.bedrock as unknown as { keys: Array<{ bedrock_key_config: { secret_key: string } }>; proxy_config: { password: string } };
        assert.equal(bedrock.keys[0]?.bedrock_key_config.secret_key, 'aws-SECRET-key-1111');
        assert.equal(bedrock.proxy_config.password, 'proxy-PASSWORD-2222');
      }, 'my-encryption-key');
      await assert.rejects(withService(spec, fileConfig(baseFile), async () => undefined, 'another-key'),
        (error: unknown) => error instanceof EncryptionKeyError && /does not match/.test(error.message));
      await assert.rejects(withService(spec, fileConfig(baseFile), async () => undefined),
        (error: unknown) => error instanceof EncryptionKeyError && /no encryption_key/.test(error.message));
    });

    test('adding a key later encrypts the rows written in plaintext', async () => {
      const { spec, raw } = await backend.fresh();
      await withService(spec, fileConfig(baseFile), async () => undefined);
      assert.ok((await raw()).includes(SECRET), 'without a key the value is stored as is');
      await withService(spec, fileConfig(baseFile), async (service) => {
        assert.equal(service.current().config.providers.openai?.keys[0]?.value, SECRET);
      }, 'late-key');
      const after = await raw();
      for (const secret of [SECRET, 'aws-SECRET-key-1111', 'proxy-PASSWORD-2222', 'plugin-secret-token']) assert.ok(!after.includes(secret), secret);
    });
  });
}

// The live configuration is a snapshot built from config.json and the store's contents; the
// sections the store does not hold come from the file as written, so they read the same as at load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../config/index.js';
import { ConfigService } from './service.js';

test('the live config reads config.json\'s sections as the file wrote them: a duration is not parsed twice', async () => {
  const env = { LOGS_PATH: '/var/lib/bifrost/logs.db' };
  const file = parseConfig({
    providers: { openai: { keys: [{ name: 'k', value: 'sk-test', models: [], weight: 1 }] } },
    logs_store: { enabled: true, type: 'sqlite', config: { path: 'env.LOGS_PATH' }, writer: { batch_interval: '250ms' } },
  }, { env, source: 'config.json' });
  assert.equal(file.config.logs_store?.writer?.batch_interval, 250);
  // File-only mode: the same snapshot path as with a database, without one.
  const service = await ConfigService.open({ file, env });
  const live = service.current();
  // Parsed again from its parsed form, "250ms" (250) would read as 250 seconds.
  assert.equal(live.config.logs_store?.writer?.batch_interval, 250);
  assert.deepEqual((live.config.logs_store as { config?: unknown }).config, { path: '/var/lib/bifrost/logs.db' });
  assert.equal(live.envRefs['logs_store.config.path'], 'LOGS_PATH');
});

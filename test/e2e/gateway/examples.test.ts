// Every shipped example config must load: a broken example is the first thing a newcomer meets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { loadAppConfig } from '../../../src/config/index.js';

const examples = fileURLToPath(new URL('../../../examples/', import.meta.url));
const env = { OPENAI_API_KEY: 'sk-a', OPENAI_API_KEY_2: 'sk-b', GROQ_API_KEY: 'gsk-c' };

test('every examples/*/config.json loads and validates', async () => {
  const dirs = readdirSync(examples, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  assert.ok(dirs.includes('mocker') && dirs.includes('providers'), `found ${dirs.join(', ')}`);
  for (const dir of dirs) {
    const loaded = await loadAppConfig(join(examples, dir), env);
    assert.notEqual(loaded.source, 'environment', `${dir} has a config.json`);
    assert.deepEqual(loaded.warnings, [], `${dir}: ${loaded.warnings.join('; ')}`);
    assert.ok(Object.keys(loaded.config.providers).length > 0, `${dir} configures a provider`);
  }
});

test('the providers example fails without its env vars, naming each key path', async () => {
  await assert.rejects(loadAppConfig(join(examples, 'providers'), {}), (error: Error) =>
    /providers\.openai\.keys\[0\]\.value: environment variable OPENAI_API_KEY is not set/.test(error.message)
    && /providers\.groq\.keys\[0\]\.value: environment variable GROQ_API_KEY is not set/.test(error.message));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, ConfigHolder, configFromEnvironment, loadAppConfig, parseConfig, parseConfigText, parseServerFlags, UsageError } from './index.js';

function issuesOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a ConfigError');
}

test('defaults follow Bifrost: client block, network config, key weight/enabled/id', () => {
  const { config } = parseConfig({ providers: { openai: { keys: [{ name: 'a', value: 'sk-1', models: [] }] } } }, { env: {} });
  assert.equal(config.client.max_request_body_size_mb, 100);
  assert.equal(config.client.drop_excess_requests, false);
  assert.equal(config.client.initial_pool_size, 300);
  assert.equal(config.client.enable_logging, true);
  assert.equal(config.client.log_retention_days, 365);
  assert.deepEqual(config.client.allowed_origins, []);
  const openai = config.providers.openai!;
  assert.equal(openai.network_config.default_request_timeout_in_seconds, 30);
  assert.equal(openai.network_config.max_retries, 0);
  assert.equal(openai.network_config.retry_backoff_initial, 500);
  assert.equal(openai.network_config.retry_backoff_max, 5000);
  assert.deepEqual({ ...openai.keys[0] }, { name: 'a', id: 'a', value: 'sk-1', models: [], weight: 1, enabled: true });
  assert.ok(Object.isFrozen(config) && Object.isFrozen(openai.keys[0]), 'result is deeply frozen');
});

test('_ms aliases for backoff are accepted', () => {
  const { config } = parseConfig({ providers: { groq: { keys: [], network_config: { retry_backoff_initial_ms: 100, retry_backoff_max_ms: 900 } } } }, { env: {} });
  assert.equal(config.providers.groq!.network_config.retry_backoff_initial, 100);
  assert.equal(config.providers.groq!.network_config.retry_backoff_max, 900);
});

test('every problem is reported with its key path and what was expected', () => {
  const error = issuesOf(() => parseConfig({
    client: { drop_excess_requests: 'yes', max_request_body_size_mb: -1 },
    providers: { openai: { keys: [{ name: 'a', value: 'x', weight: 'heavy' }, { name: 'b' }] } },
    plugins: [{ enabled: true }],
  }, { env: {}, source: 'test.json' }));
  const byPath = new Map(error.issues.map((issue) => [issue.path, issue.message]));
  assert.equal(byPath.get('providers.openai.keys[0].weight'), 'expected number, got string');
  assert.equal(byPath.get('client.drop_excess_requests'), 'expected boolean, got string');
  assert.match(byPath.get('client.max_request_body_size_mb') ?? '', /expected > ?0|expected >= 0|-1/);
  assert.match(byPath.get('providers.openai.keys[1].value') ?? '', /required/);
  assert.match(byPath.get('plugins[0].name') ?? '', /required/);
  assert.match(error.message, /test\.json/);
  assert.match(error.message, /providers\.openai\.keys\[0\]\.weight: expected number, got string/);
});

test('env.VAR references resolve; a missing one names the key path and the variable', () => {
  const raw = { providers: { openai: { keys: [{ name: 'a', value: 'env.MY_OPENAI', models: ['*'] }] } }, encryption_key: 'env.ENC' };
  const ok = parseConfig(raw, { env: { MY_OPENAI: 'sk-real', ENC: 'k' } });
  assert.equal(ok.config.providers.openai!.keys[0]!.value, 'sk-real');
  assert.equal(ok.envRefs['providers.openai.keys[0].value'], 'MY_OPENAI');
  const error = issuesOf(() => parseConfig(raw, { env: {} }));
  assert.deepEqual(error.issues.map((i) => i.path).sort(), ['encryption_key', 'providers.openai.keys[0].value']);
  assert.match(error.issues.find((i) => i.path.startsWith('providers'))!.message, /environment variable MY_OPENAI is not set/);
});

test('later sections are accepted loosely; unknown top-level keys only warn', () => {
  const loaded = parseConfig({
    governance: { virtual_keys: [{ id: 'vk1' }] }, config_store: { enabled: false }, cluster_config: { enabled: false, peers: [] },
    mcp: {}, framework: {}, logs_store: { enabled: true, type: 'sqlite' }, vector_store: {}, websocket: {}, mystery: 1,
    plugins: [{ name: 'telemetry', enabled: true, config: {} }],
  }, { env: {} });
  assert.deepEqual(loaded.warnings, ['mystery: unknown key']);
  assert.equal(loaded.config.plugins[0]!.name, 'telemetry');
});

test('a typo\'d key warns with its path and the closest known key; startup still succeeds', () => {
  const loaded = parseConfig({
    client: { drop_excess_request: true, header_filter_config: { allowlst: [] } },
    provider: {},
    providers: {
      openai: {
        keys: [{ name: 'a', value: 'sk-1', models: ['*'], wieght: 2 }],
        network_config: { base_ur: 'http://127.0.0.1:1', max_retires: 1 },
        concurency_and_buffer_size: { concurrency: 1 },
      },
    },
    plugins: [{ name: 'telemetry', enabeld: true }],
    logs_store: { enabled: true, type: 'sqlite', writer: { max_batch_sise: 10 } },
  }, { env: {} });
  assert.deepEqual(loaded.warnings, [
    'client.drop_excess_request: unknown key; did you mean drop_excess_requests?',
    'client.header_filter_config.allowlst: unknown key; did you mean allowlist?',
    'provider: unknown key; did you mean providers?',
    'providers.openai.keys[0].wieght: unknown key; did you mean weight?',
    'providers.openai.network_config.base_ur: unknown key; did you mean base_url?',
    'providers.openai.network_config.max_retires: unknown key; did you mean max_retries?',
    'providers.openai.concurency_and_buffer_size: unknown key; did you mean concurrency_and_buffer_size?',
    'plugins[0].enabeld: unknown key; did you mean enabled?',
    'logs_store.writer.max_batch_sise: unknown key; did you mean max_batch_size?',
  ]);
  // The misspelled keys change nothing: the defaults stand.
  assert.equal(loaded.config.client.drop_excess_requests, false);
  assert.equal(loaded.config.providers.openai!.keys[0]!.weight, 1);
});

test('free-form names, plugin configs, Bifrost-only keys and loose sections do not warn', () => {
  const loaded = parseConfig({
    $schema: 'https://www.getbifrost.ai/schema',
    client: { drop_excess_requests: true, compat: { should_drop_params: true }, mcp_agent_depth: 5, allow_per_request_raw_override: false },
    providers: {
      'my-vllm-box': {
        keys: [{ name: 'k', value: 'x', models: ['*'], use_for_batch_api: false, vllm_key_config: { url: 'http://x', model_name: 'm' } }],
        network_config: { base_url: 'http://127.0.0.1:8000', retry_backoff_initial_ms: 100, insecure_skip_verify: false },
        custom_provider_config: { base_provider_type: 'openai', is_key_less: true },
        send_back_raw_request: false,
      },
      drop_excess_requests: { keys: [] },
    },
    plugins: [
      { name: 'telemetry', enabled: true, config: { push_gateway: { enabled: false }, totally_custom: 1 } },
      { name: 'custom', enabled: false, path: '/x.so', version: 1, placement: 'pre_builtin', order: 2, config: { enabeld: 1 } },
    ],
    governance: { virtual_keys: [{ id: 'vk', anything: true }] },
    config_store: { enabled: false, whatever: 1 },
    logs_store: { enabled: true, type: 'postgres', config: { host: 'h' }, writer: { max_batch_size: 10, batch_interval: '250ms' } },
    mcp: { client_configs: [] }, large_payload_optimization: {},
  }, { env: {} });
  assert.deepEqual(loaded.warnings, []);
});

test('duplicate key names and JSON syntax errors are reported precisely', () => {
  const dup = issuesOf(() => parseConfig({ providers: { openai: { keys: [{ name: 'a', value: '1' }, { name: 'a', value: '2' }] } } }, { env: {} }));
  assert.equal(dup.issues[0]!.path, 'providers.openai.keys[1].name');
  const syntax = issuesOf(() => parseConfigText('{\n  "client": {,}\n}', { env: {}, source: 'c.json' }));
  assert.match(syntax.message, /invalid JSON: .*line 2, column \d+/);
});

test('no config.json: providers are detected from the environment', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bifrost-cfg-'));
  try {
    const loaded = await loadAppConfig(dir, { OPENAI_API_KEY: 'sk-o', ANTHROPIC_KEY: 'sk-a', GROQ_API_KEY: '' });
    assert.equal(loaded.source, 'environment');
    assert.deepEqual(Object.keys(loaded.config.providers).sort(), ['anthropic', 'openai']);
    assert.equal(loaded.config.providers.anthropic!.keys[0]!.value, 'sk-a');
    await writeFile(join(dir, 'config.json'), JSON.stringify({ providers: { mistral: { keys: [{ name: 'm', value: 'v' }] } } }));
    const fromFile = await loadAppConfig(dir, { OPENAI_API_KEY: 'sk-o' });
    assert.deepEqual(Object.keys(fromFile.config.providers), ['mistral']);
    assert.equal(configFromEnvironment({}).config.client.max_request_body_size_mb, 100);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('ConfigHolder swaps snapshots atomically and notifies subscribers', () => {
  const first = parseConfig({}, { env: {} }).config;
  const second = parseConfig({ client: { drop_excess_requests: true } }, { env: {} }).config;
  const holder = new ConfigHolder(first);
  const seen: boolean[] = [];
  const unsubscribe = holder.subscribe((c) => seen.push(c.client.drop_excess_requests));
  const snapshot = holder.current();
  holder.replace(second);
  assert.equal(snapshot.client.drop_excess_requests, false, 'old snapshot unchanged');
  assert.equal(holder.current().client.drop_excess_requests, true);
  unsubscribe();
  holder.replace(first);
  assert.deepEqual(seen, [true]);
});

test('server flags: single and double dash, =value, env fallbacks, defaults', () => {
  const d = parseServerFlags([], {});
  assert.equal(d.port, 8080);
  assert.equal(d.host, 'localhost');
  assert.match(d.appDir, /bifrost$/);
  assert.equal(d.logStyle, 'json');
  const f = parseServerFlags(['-port', '9000', '--host=0.0.0.0', '--app-dir', '/tmp/x', '-log-level=debug', '--log-style', 'pretty'], {});
  assert.deepEqual({ ...f }, {
    help: false, port: 9000, host: '0.0.0.0', appDir: '/tmp/x', logLevel: 'debug', logStyle: 'pretty', drainDelaySeconds: 5, shutdownTimeoutSeconds: 30,
  });
  const e = parseServerFlags(['-port', '1'], { APP_PORT: '7000', APP_HOST: 'h', APP_DIR: '/d', LOG_LEVEL: 'warn', LOG_STYLE: 'pretty' });
  assert.deepEqual([e.port, e.host, e.appDir, e.logLevel, e.logStyle], [1, 'h', '/d', 'warn', 'pretty']);
  assert.throws(() => parseServerFlags(['-port', 'abc'], {}), UsageError);
  assert.throws(() => parseServerFlags(['-bogus', '1'], {}), /unknown flag/);
  assert.throws(() => parseServerFlags(['-log-style', 'text'], {}), /json or pretty/);
});

test('shutdown flags: -drain-delay and -shutdown-timeout in seconds, with DRAIN_DELAY / SHUTDOWN_TIMEOUT fallbacks', () => {
  const f = parseServerFlags(['-drain-delay', '0', '--shutdown-timeout=65.5'], {});
  assert.deepEqual([f.drainDelaySeconds, f.shutdownTimeoutSeconds], [0, 65.5]);
  const e = parseServerFlags([], { DRAIN_DELAY: '2', SHUTDOWN_TIMEOUT: '70' });
  assert.deepEqual([e.drainDelaySeconds, e.shutdownTimeoutSeconds], [2, 70]);
  assert.throws(() => parseServerFlags(['-drain-delay', '-1'], {}), /drain-delay/);
  assert.throws(() => parseServerFlags(['-shutdown-timeout', '1e9'], {}), /shutdown-timeout/);
});

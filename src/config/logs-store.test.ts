// `logs_store.writer` in config.json: Bifrost's writer settings are read (durations in Go's
// notation or seconds), and each bad value is a config error naming its key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, parseConfig } from './index.js';

const parse = (writer: unknown) => parseConfig({ logs_store: { enabled: true, type: 'sqlite', config: { path: 'logs.db' }, writer } }, { env: {} });

test('logs_store.writer settings are read, batch_interval as a duration in ms', () => {
  const { config } = parse({ max_batch_size: 500, batch_interval: '250ms', max_batch_bytes: 4_000_000, write_queue_capacity: 20_000, write_queue_max_bytes: 1 << 26 });
  assert.deepEqual({ ...config.logs_store?.writer }, {
    max_batch_size: 500, batch_interval: 250, max_batch_bytes: 4_000_000, write_queue_capacity: 20_000, write_queue_max_bytes: 1 << 26,
  });
  assert.equal(parse({ batch_interval: '5s' }).config.logs_store?.writer?.batch_interval, 5000);
  assert.equal(parse({ batch_interval: '1m' }).config.logs_store?.writer?.batch_interval, 60_000);
  assert.equal(parse({ batch_interval: 2 }).config.logs_store?.writer?.batch_interval, 2000, 'a number is seconds');
  assert.equal(parseConfig({ logs_store: { enabled: false } }, { env: {} }).config.logs_store?.writer, undefined);
});

test('a bad writer value is a config error naming the key', () => {
  const cases: Array<[unknown, string, RegExp]> = [
    [{ max_batch_size: 0 }, 'logs_store.writer.max_batch_size', /./],
    [{ max_batch_size: 'lots' }, 'logs_store.writer.max_batch_size', /./],
    [{ batch_interval: 'soon' }, 'logs_store.writer.batch_interval', /duration/],
    [{ batch_interval: '0s' }, 'logs_store.writer.batch_interval', /between/],
    [{ batch_interval: '2h' }, 'logs_store.writer.batch_interval', /between/],
    [{ max_batch_bytes: -1 }, 'logs_store.writer.max_batch_bytes', /./],
    [{ write_queue_capacity: 1.5 }, 'logs_store.writer.write_queue_capacity', /./],
    [{ write_queue_max_bytes: '64MB' }, 'logs_store.writer.write_queue_max_bytes', /./],
  ];
  for (const [writer, path, message] of cases) {
    assert.throws(() => parse(writer), (error: unknown) => {
      assert.ok(error instanceof ConfigError, String(error));
      const issue = error.issues.find((i) => i.path === path);
      assert.ok(issue, `${JSON.stringify(writer)}: no issue at ${path} in ${error.message}`);
      assert.match(issue.message, message);
      return true;
    });
  }
});

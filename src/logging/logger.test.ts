import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger, parseLogLevel, parseLogStyle, REDACTED } from './logger.js';

function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({ write(chunk, _enc, cb) { chunks.push(String(chunk)); cb(); } });
  return { stream, text: () => chunks.join('') };
}

test('json style writes one JSON object per line at or above the level', () => {
  const out = sink();
  const log = createLogger({ level: 'warn', destination: out.stream });
  log.info({ a: 1 }, 'hidden');
  log.warn({ a: 2 }, 'shown');
  const lines = out.text().trim().split('\n');
  assert.equal(lines.length, 1);
  const line = JSON.parse(lines[0]!);
  assert.equal(line.msg, 'shown');
  assert.equal(line.a, 2);
});

test('secrets are redacted: auth headers, provider key values, passwords, api keys', () => {
  const out = sink();
  const log = createLogger({ destination: out.stream });
  const secret = 'sk-live-SECRET-1234567890';
  log.info({
    headers: { authorization: `Bearer ${secret}`, 'x-api-key': secret, 'x-bf-vk': secret, accept: 'json' },
    provider: { keys: [{ name: 'k1', value: secret }] },
    providers: { openai: { keys: [{ name: 'k1', value: secret }] } },
    store: { password: secret },
    api_key: secret,
    push_gateway: { basic_auth: { username: 'u', password: secret } },
  }, 'request');
  const text = out.text();
  assert.ok(!text.includes(secret), `secret leaked: ${text}`);
  assert.ok(text.includes(REDACTED));
  assert.ok(text.includes('"accept":"json"'), 'non-secret header kept');
  assert.ok(text.includes('"name":"k1"'), 'key name kept');
});

test('pretty style prints human-readable lines with secrets redacted', () => {
  const out = sink();
  const log = createLogger({ style: 'pretty', destination: out.stream });
  log.info({ headers: { authorization: 'Bearer sk-secret-xyz' } }, 'pretty line');
  const text = out.text();
  assert.match(text, /INFO.*pretty line/);
  assert.ok(!text.includes('sk-secret-xyz'));
  assert.ok(!text.trim().startsWith('{'), 'not JSON');
});

test('level and style parsing accept exactly Bifrost\'s values', () => {
  assert.equal(parseLogLevel('debug'), 'debug');
  assert.equal(parseLogLevel('trace'), undefined);
  assert.equal(parseLogStyle('pretty'), 'pretty');
  assert.equal(parseLogStyle('text'), undefined);
});

import { strict as assert } from 'node:assert';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { installProcessGuard } from './process-guard.js';

test('the process guard counts and logs escaped errors instead of letting them end the process', () => {
  const target = new EventEmitter();
  const logged: unknown[] = [];
  const logger = { error: (fields: unknown) => logged.push(fields), warn() {}, info() {}, debug() {} } as never;
  const guard = installProcessGuard(logger, target as never);
  target.emit('uncaughtException', new Error('boom'));
  target.emit('unhandledRejection', new Error('late'));
  assert.equal(guard.escaped, 2);
  assert.equal(logged.length, 2);
  assert.match(String((logged[0] as { kind: string }).kind), /uncaught exception/);
});

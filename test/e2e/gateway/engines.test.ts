// The Node version the README and package.json promise must run every package the gateway ships
// with: a dependency bump that quietly requires a newer Node (kysely 0.29 and cookie 2 did) fails
// here instead of printing EBADENGINE on a user's install. Dev-only packages are not shipped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import semver from 'semver';

const read = (file: string): Record<string, unknown> => JSON.parse(readFileSync(new URL(`../../../${file}`, import.meta.url), 'utf8')) as Record<string, unknown>;

test('every runtime dependency accepts the oldest Node that package.json promises', () => {
  const promised = (read('package.json').engines as { node: string }).node;
  const oldest = semver.minVersion(promised);
  assert.ok(oldest, `engines.node ${promised} is a range`);
  const packages = read('package-lock.json').packages as Record<string, { dev?: boolean; engines?: { node?: string } }>;
  const refusing = Object.entries(packages)
    .filter(([path, meta]) => path !== '' && !meta.dev && meta.engines?.node && !semver.satisfies(oldest, meta.engines.node))
    .map(([path, meta]) => `${path} wants node ${meta.engines!.node}`);
  assert.deepEqual(refusing, [], `Node ${oldest.version} (engines.node ${promised}) is refused by runtime packages`);
});

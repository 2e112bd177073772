// The existing governance tests (plugin rules, flusher, end-to-end limits, budgets, streams,
// admin API, restarts on SQLite and PostgreSQL) run again with the counters swapped: a resolve hook
// makes core's InMemoryUsageCounters a ClusterUsageCounters alone on an in-memory hub. They must
// pass unchanged — a lone replica behaves like the single-node counters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const files = [
  'test/cluster/counters/swap/sentinel.ts',
  'src/plugins/governance/plugin.test.ts',
  'src/plugins/governance/flusher.test.ts',
  'test/e2e/governance/limits.test.ts',
  'test/e2e/governance/admin-api.test.ts',
  'test/e2e/governance/restart-postgres.test.ts',
];

test('governance tests pass on the cluster counters', () => {
  // Without this the nested runner would report to ours over the child protocol instead of TAP.
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--import', './test/cluster/counters/swap/register.mjs',
    '--test', '--test-concurrency=1', '--test-reporter=tap', ...files], { cwd: root, env, encoding: 'utf8', timeout: 280_000 });
  const summary = /# pass (\d+)\n# fail (\d+)/.exec(run.stdout);
  assert.equal(run.status, 0, run.stdout.split('\n').filter((l) => /^(not ok|\s+error)/.test(l)).join('\n') || run.stderr);
  assert.ok(Number(summary?.[1]) >= 20 && summary?.[2] === '0', summary?.[0]);
});

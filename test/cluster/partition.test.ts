// A network partition (issue #21), with real links: the test makes a hub network namespace with a
// bridge and one namespace per replica joined to it by a veth pair, runs PostgreSQL in the hub and
// three `bifrost` replicas in their namespaces (partition-inner.ts, run inside the hub), cuts one
// replica's link for 20 s while both sides take requests, and heals it. Needs root and iproute2,
// as CI has; the namespaces are deleted afterwards.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const tag = `bfp${process.pid % 100000}`;
const hub = `${tag}h`;
const nodes = [1, 2, 3].map((i) => `${tag}r${i}`);
const ip = (...args: string[]): string => execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const inHub = (...args: string[]): string => ip('netns', 'exec', hub, 'ip', ...args);

function withoutTestContext(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { NODE_TEST_CONTEXT: _context, ...rest } = env;
  return rest;
}

after(() => {
  for (const ns of [...nodes, hub]) {
    try {
      ip('netns', 'del', ns);
    } catch {
      // not made
    }
  }
});

test('a replica cut off for 20 s rejoins, and members and counters converge within 10 s of the heal', { timeout: 240_000 }, async () => {
  if (process.getuid?.() !== 0) assert.fail('needs root to make network namespaces (CI runs as root; locally: sudo)');
  ip('netns', 'add', hub);
  inHub('link', 'set', 'lo', 'up');
  inHub('link', 'add', 'br0', 'type', 'bridge');
  inHub('addr', 'add', '10.213.0.254/24', 'dev', 'br0');
  inHub('link', 'set', 'br0', 'up');
  nodes.forEach((ns, i) => {
    ip('netns', 'add', ns);
    ip('netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up');
    inHub('link', 'add', `vh${i + 1}`, 'type', 'veth', 'peer', 'name', `vr${i + 1}`, 'netns', ns);
    inHub('link', 'set', `vh${i + 1}`, 'master', 'br0', 'up');
    ip('netns', 'exec', ns, 'ip', 'addr', 'add', `10.213.0.${i + 1}/24`, 'dev', `vr${i + 1}`);
    ip('netns', 'exec', ns, 'ip', 'link', 'set', `vr${i + 1}`, 'up');
  });
  const inner = fileURLToPath(new URL('./partition-inner.ts', import.meta.url));
  const child = spawn('ip', ['netns', 'exec', hub, process.execPath, '--import', 'tsx', '--test', '--test-reporter=tap', inner], {
    // Without NODE_TEST_CONTEXT: the inner file is a test run of its own, not a child of this one.
    env: { ...withoutTestContext(process.env), PARTITION_HUB: hub, PARTITION_NODES: nodes.join(','), TEST_PG_HOST: '10.213.0.254' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
  child.stderr.on('data', (c: Buffer) => { out += c.toString(); });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  for (const line of out.split('\n').filter((l) => /partition:|^# (pass|fail) /.test(l))) console.log(line);
  assert.equal(code, 0, out.slice(-6000));
  assert.match(out, /^# pass 1$/m, 'the inner test ran and passed');
});

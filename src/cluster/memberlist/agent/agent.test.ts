import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { parseAgentFlags, parseDuration } from './flags.js';
import { decodeSerfTags, encodeSerfTags } from './serf.js';
import { runAgent } from './agent.js';

test('flags: serf-style single-dash flags, durations and errors', () => {
  const f = parseAgentFlags(['-name', 'a', '-port', '0', '-join', 'h:1,h:2', '-key', 'k', '-run-for', '30s', '-serf']);
  assert.equal(f.name, 'a');
  assert.deepEqual(f.join, ['h:1', 'h:2']);
  assert.equal(f.runForMs, 30_000);
  assert.equal(f.serf, true);
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('2m'), 120_000);
  assert.throws(() => parseAgentFlags(['-port', '1']), /-name is required/);
  assert.throws(() => parseAgentFlags(['-name', 'a', '-bogus']), /unknown flag/);
});

test('Serf tags: 0xFF + msgpack map, as `role=web` is ff 81 a4 role a3 web', () => {
  assert.equal(Buffer.from(encodeSerfTags('role=web')).toString('hex'), 'ff81a4726f6c65a3776562');
  assert.equal(Buffer.from(encodeSerfTags('')).toString('hex'), 'ff80');
  assert.deepEqual(decodeSerfTags(encodeSerfTags('a=1,b=2')), { a: '1', b: '2' });
});

test('two in-process agents on loopback join, exchange a broadcast and leave', async () => {
  const mk = () => ({ stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), lines: [] as Record<string, unknown>[] });
  const a = mk();
  const b = mk();
  for (const x of [a, b]) x.stdout.on('data', (d: Buffer) => { for (const l of d.toString().split('\n').filter(Boolean)) x.lines.push(JSON.parse(l)); });
  const until = async (x: typeof a, pred: (e: Record<string, unknown>) => boolean, what: string) => {
    for (let i = 0; i < 200 && !x.lines.some(pred); i++) await new Promise((r) => setTimeout(r, 25));
    assert.ok(x.lines.some(pred), `${what}; saw ${JSON.stringify(x.lines)}`);
  };
  const ra = runAgent(['-name', 'ag-a', '-port', '0', '-fast', '-meta', 'A', '-run-for', '20s'], a);
  await until(a, (e) => e.event === 'started', 'a started');
  const addr = a.lines.find((e) => e.event === 'started')!.addr as string;
  const rb = runAgent(['-name', 'ag-b', '-port', '0', '-fast', '-join', addr, '-run-for', '20s'], b);
  await until(b, (e) => e.event === 'join' && e.name === 'ag-a' && e.meta === 'A', 'b sees a with meta');
  a.stdin.write('broadcast hi-there\n');
  await until(b, (e) => e.event === 'user_msg' && e.msg === 'hi-there', 'broadcast delivered');
  b.stdin.write('leave\n');
  assert.equal(await rb, 0);
  await until(a, (e) => e.event === 'leave' && e.name === 'ag-b' && e.state === 'left', 'a sees b left');
  a.stdin.write('leave\n');
  assert.equal(await ra, 0);
});

test('bad flags exit with code 2 and the usage', async () => {
  const err = new PassThrough();
  let text = '';
  err.on('data', (d: Buffer) => { text += d.toString(); });
  const code = await runAgent(['-name', 'x', '-key', 'AAAA'], { stdin: new PassThrough(), stdout: new PassThrough(), stderr: err });
  assert.equal(code, 2);
  assert.match(text, /-key must be 16, 24 or 32 bytes/);
});

// Interop with a real HashiCorp memberlist (current release, our Go peer) on loopback: joins both
// ways, meta, user messages (UDP, TCP, gossip broadcast) both ways, push/pull user state, failure
// detection both ways, graceful leave both ways, encryption and labels.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildGoPeer, GossipProcess } from './gossip-process.js';

const KEY = Buffer.from(Array.from({ length: 16 }, (_, i) => i)).toString('base64');
const common = ['-bind', '127.0.0.1', '-port', '0', '-fast', '-run-for', '40s'];

describe('memberlist interop: TS agent ↔ Go memberlist', { timeout: 240_000 }, () => {
  let goBin = '';
  const procs: GossipProcess[] = [];
  const go = (name: string, extra: string[] = []): GossipProcess => {
    const p = GossipProcess.go(goBin, ['-name', name, ...common, ...extra]);
    procs.push(p);
    return p;
  };
  const ts = (name: string, extra: string[] = []): GossipProcess => {
    const p = GossipProcess.ts(['-name', name, ...common, ...extra]);
    procs.push(p);
    return p;
  };
  const joinedBy = (p: GossipProcess, name: string, meta?: string) => p.waitFor(
    (e) => e.event === 'join' && e.name === name && (meta === undefined || e.meta === meta), { message: `join of ${name}` });

  before(() => { goBin = buildGoPeer(); });
  after(async () => { await Promise.all(procs.map((p) => p.stop())); });

  test('TS joins Go: meta, push/pull user state and user messages both ways', async () => {
    const g = go('go-a', ['-meta', 'role=go', '-state', 'go-state']);
    const addr = await g.started();
    const t = ts('ts-a', ['-meta', 'role=ts', '-state', 'ts-state', '-join', addr]);
    await t.waitFor((e) => e.event === 'joined' && e.count === 1, { message: 'join succeeded' });
    await joinedBy(t, 'go-a', 'role=go');
    await joinedBy(g, 'ts-a', 'role=ts');
    await t.waitFor((e) => e.event === 'user_state' && e.state === 'go-state' && e.join === true, { message: 'Go state merged at join' });
    await g.waitFor((e) => e.event === 'user_state' && e.state === 'ts-state' && e.join === true, { message: 'TS state merged at join' });
    t.command('send go-a udp-from-ts');
    t.command('send-reliable go-a tcp-from-ts');
    t.command('broadcast gossip-from-ts');
    g.command('send ts-a udp-from-go');
    g.command('send-reliable ts-a tcp-from-go');
    g.command('broadcast gossip-from-go');
    for (const msg of ['udp-from-ts', 'tcp-from-ts', 'gossip-from-ts']) await g.waitFor((e) => e.event === 'user_msg' && e.msg === msg, { message: msg });
    for (const msg of ['udp-from-go', 'tcp-from-go', 'gossip-from-go']) await t.waitFor((e) => e.event === 'user_msg' && e.msg === msg, { message: msg });
    await t.waitFor((e) => e.event === 'user_state' && e.join === false, { message: 'periodic push/pull from Go' });
    t.command('members');
    const m = await t.waitFor((e) => e.event === 'members', { message: 'members' });
    assert.deepEqual(m.members!.map((x) => `${x.name}:${x.state}`).sort(), ['go-a:alive', 'ts-a:alive']);
    t.command('meta role=ts-v2');
    await g.waitFor((e) => e.event === 'update' && e.name === 'ts-a' && e.meta === 'role=ts-v2', { message: 'meta update seen by Go' });
  });

  test('Go joins TS: both see each other with meta and state', async () => {
    const t = ts('ts-b', ['-meta', 'm-ts', '-state', 's-ts']);
    const addr = await t.started();
    const g = go('go-b', ['-meta', 'm-go', '-state', 's-go', '-join', addr]);
    await g.waitFor((e) => e.event === 'joined' && e.count === 1, { message: 'Go join succeeded' });
    await joinedBy(t, 'go-b', 'm-go');
    await joinedBy(g, 'ts-b', 'm-ts');
    await t.waitFor((e) => e.event === 'user_state' && e.state === 's-go' && e.join === true, { message: 'state from Go' });
    await g.waitFor((e) => e.event === 'user_state' && e.state === 's-ts', { message: 'state from TS' });
  });

  test('a killed Go peer is detected as dead by TS, and a killed TS agent by Go', async () => {
    const g1 = go('go-c1');
    const addr = await g1.started();
    const t = ts('ts-c', ['-join', addr]);
    const g2 = go('go-c2', ['-join', addr]);
    await joinedBy(t, 'go-c2');
    await joinedBy(g2, 'ts-c');
    const t0 = Date.now();
    g1.kill();
    await t.waitFor((e) => e.event === 'leave' && e.name === 'go-c1' && e.state === 'dead', { timeoutMs: 15_000, message: 'go-c1 dead' });
    const detectMs = Date.now() - t0;
    assert.ok(detectMs < 15_000, `detected in ${detectMs} ms`);
    t.kill();
    await g2.waitFor((e) => e.event === 'leave' && e.name === 'ts-c' && e.state === 'dead', { timeoutMs: 15_000, message: 'ts-c dead at Go' });
  });

  test('graceful leave is seen as left, both ways', async () => {
    const g = go('go-d');
    const addr = await g.started();
    const t1 = ts('ts-d1', ['-join', addr]);
    const t2 = ts('ts-d2', ['-join', addr]);
    await joinedBy(g, 'ts-d1');
    await joinedBy(t2, 'ts-d1');
    await joinedBy(t1, 'go-d');
    t1.command('leave');
    await t1.waitFor((e) => e.event === 'left', { message: 'leave finished' });
    await g.waitFor((e) => e.event === 'leave' && e.name === 'ts-d1' && e.state === 'left', { message: 'ts-d1 left at Go' });
    g.command('leave');
    await t2.waitFor((e) => e.event === 'leave' && e.name === 'go-d' && e.state === 'left', { message: 'go-d left at TS' });
  });

  test('with encryption and a label: join and messages both ways; a keyless node is refused', async () => {
    const sec = ['-key', KEY, '-label', 'lbl1'];
    const g = go('go-e', [...sec, '-meta', 'enc-go']);
    const addr = await g.started();
    const t = ts('ts-e', [...sec, '-meta', 'enc-ts', '-join', addr]);
    await joinedBy(t, 'go-e', 'enc-go');
    await joinedBy(g, 'ts-e', 'enc-ts');
    t.command('send-reliable go-e secret-tcp');
    t.command('send go-e secret-udp');
    g.command('send ts-e secret-back');
    await g.waitFor((e) => e.event === 'user_msg' && e.msg === 'secret-tcp', { message: 'encrypted TCP message' });
    await g.waitFor((e) => e.event === 'user_msg' && e.msg === 'secret-udp', { message: 'encrypted UDP message' });
    await t.waitFor((e) => e.event === 'user_msg' && e.msg === 'secret-back', { message: 'encrypted message from Go' });
    const plain = ts('ts-e-plain', ['-label', 'lbl1', '-join', addr]);
    await plain.waitFor((e) => e.event === 'error' && /failed to join/.test(e.error ?? ''), { message: 'keyless join refused' });
    const g2 = go('go-e2', [...sec, '-join', (await t.started())]);
    await joinedBy(t, 'go-e2');
    await g2.waitFor((e) => e.event === 'joined', { message: 'Go joins the encrypted TS node' });
  });

  test('with a label only: nodes with the same label join; a different label is refused', async () => {
    const t = ts('ts-f', ['-label', 'blue']);
    const addr = await t.started();
    const g = go('go-f', ['-label', 'blue', '-join', addr]);
    await joinedBy(t, 'go-f');
    await joinedBy(g, 'ts-f');
    const other = go('go-f2', ['-label', 'green', '-join', addr]);
    await other.waitFor((e) => e.event === 'error', { message: 'label mismatch refused' });
  });
});

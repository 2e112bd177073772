// Fuzzes every decoder with random bytes and with mutations of the real captured packets and
// streams: they may only ever throw WireError, and each call must finish quickly (no hang, no
// runaway allocation). Deterministic seed; the loop is bounded by iterations and by time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readPcap } from '../../../../test/fixtures/memberlist/captures.js';
import { decodeMessage } from './codec.js';
import { decodeCompound } from './compound.js';
import { WireError } from './errors.js';
import { lzwDecompress } from './lzw.js';
import { decodeMsgpack } from './msgpack.js';
import { decodePacket } from './packet.js';
import { readStreamMessage, type StreamReadOptions } from './stream.js';
import { Keyring } from '../security/keyring.js';

const KEY = new Uint8Array(Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex'));
const ITERATIONS = 20000;
const BUDGET_MS = 15000;
const SLOW_CALL_MS = 2000;

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x100000000;
  };
}

function mutate(src: Uint8Array, rnd: () => number): Uint8Array {
  const int = (n: number): number => Math.floor(rnd() * n);
  let b = Uint8Array.from(src);
  const ops = 1 + int(4);
  for (let i = 0; i < ops; i++) {
    const op = int(6);
    if (op === 0 && b.length > 0) b[int(b.length)] = int(256);
    else if (op === 1 && b.length > 0) b[int(b.length)]! ^= 1 << int(8);
    else if (op === 2) b = b.subarray(0, int(b.length + 1));
    else if (op === 3) {
      const at = int(b.length + 1);
      const ins = new Uint8Array(1 + int(8)).map(() => int(256));
      b = Uint8Array.from([...b.subarray(0, at), ...ins, ...b.subarray(at)]);
    } else if (op === 4 && b.length > 2) {
      // Interesting values where lengths and counts live.
      b[int(b.length)] = [0x00, 0xff, 0x7f, 0x80, 0xda, 0xdb, 0xdc, 0xdf, 0xc6, 0x07, 0x09, 0x0c][int(12)]!;
    } else if (op === 5 && b.length > 4) {
      const at = int(b.length - 4);
      b = Uint8Array.from([...b, ...b.subarray(at, at + 4)]);
    }
  }
  return b;
}

function onlyWireErrors(what: string, fn: () => unknown): void {
  const t0 = performance.now();
  try {
    fn();
  } catch (e) {
    if (!(e instanceof WireError)) assert.fail(`${what} threw a non-WireError: ${String((e as Error)?.stack ?? e)}`);
  }
  const ms = performance.now() - t0;
  assert.ok(ms < SLOW_CALL_MS, `${what} took ${ms.toFixed(0)} ms`);
}

test('decoders only throw WireError on random and mutated-capture input, and never hang', async () => {
  const seeds: Uint8Array[] = [];
  for (const name of ['ml-default', 'ml-nocompress', 'ml-failure', 'ml-encrypted', 'ml050-label-encrypted', 'serf-join']) {
    for (const ev of readPcap(`${name}.pcap`)) seeds.push(ev.data);
  }
  const rnd = prng(0x5eed);
  const keyring = new Keyring([KEY]);
  const configs = [
    { label: '' },
    { label: '', keyring },
    { label: 'lbl1', keyring },
    { label: '', keyring, verifyIncoming: false },
  ];
  const streamOpts: StreamReadOptions[] = configs.map((c) => ({ ...c, readLabelHeader: true, maxStreamSize: 1 << 20 }));
  const started = performance.now();
  let runs = 0;
  for (let i = 0; i < ITERATIONS && performance.now() - started < BUDGET_MS; i++) {
    const input = rnd() < 0.2
      ? new Uint8Array(Math.floor(rnd() * 200)).map(() => Math.floor(rnd() * 256))
      : mutate(seeds[Math.floor(rnd() * seeds.length)]!, rnd);
    const cfg = i % configs.length;
    onlyWireErrors(`decodePacket #${i}`, () => decodePacket(input, configs[cfg]!));
    onlyWireErrors(`decodeMessage #${i}`, () => decodeMessage(input));
    onlyWireErrors(`decodeCompound #${i}`, () => decodeCompound(input));
    onlyWireErrors(`decodeMsgpack #${i}`, () => decodeMsgpack(input));
    onlyWireErrors(`lzwDecompress #${i}`, () => lzwDecompress(input, { maxOutput: 1 << 22 }));
    const t0 = performance.now();
    try {
      await readStreamMessage(input, streamOpts[cfg]!);
    } catch (e) {
      if (!(e instanceof WireError)) assert.fail(`readStreamMessage #${i} threw a non-WireError: ${String((e as Error)?.stack ?? e)}`);
    }
    assert.ok(performance.now() - t0 < SLOW_CALL_MS, `readStreamMessage #${i} was slow`);
    runs++;
  }
  assert.ok(runs >= 500, `only ${runs} iterations ran within the time budget`);
});

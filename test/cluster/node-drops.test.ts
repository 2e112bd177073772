// Garbage on the gossip port: counted as drops, and said in the log once, with what was dropped,
// not once per packet — a flood of bad packets must not flood the log.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { startClusterNode, type ClusterNode } from '../../src/cluster/node/index.js';
import { waitFor } from '../support/wait.js';

let node: ClusterNode | undefined;
after(async () => { await node?.shutdown(); });

test('garbage packets are dropped, counted, and warned about at most once a minute', async () => {
  const warnings: Array<Record<string, unknown>> = [];
  const logger = {
    warn: (fields: Record<string, unknown>, msg?: string) => { if (msg === 'cluster: gossip messages dropped') warnings.push(fields); },
    info() {}, debug() {}, error() {},
  } as never;
  node = await startClusterNode({
    cluster: { node_id: 'drops', gossip: { port: 0, config: { timeout_seconds: 2, success_threshold: 1, failure_threshold: 2 } } },
    bindAddress: '127.0.0.1', httpAddress: '127.0.0.1:8000', version: '0.1.0-test', logger,
  });
  const [host, port] = node.address.split(':') as [string, string];
  const socket = createSocket('udp4');
  const flood = async (count: number): Promise<void> => {
    for (let i = 0; i < count; i++) await new Promise<void>((resolve) => socket.send(Buffer.from([0xff, 0x00, i & 0xff, 0x42]), Number(port), host, () => resolve()));
  };
  try {
    await flood(50);
    await waitFor(() => warnings.length > 0 || undefined, { timeoutMs: 5_000, message: 'a drop warning' });
    const dropped = warnings[0]!.dropped as Record<string, number>;
    const total = Object.values(dropped).reduce((a, b) => a + b, 0);
    assert.ok(total >= 50, `the warning counts the drops: ${JSON.stringify(dropped)}`);
    assert.ok(Object.values(node.counters().drops).reduce((a, b) => a + b, 0) >= 50, 'and so do the metrics');
    await flood(200);
    // Several ticks later (a tick is every 100 ms here), still one warning: the next may come after a minute.
    await waitFor(() => Object.values(node!.counters().drops).reduce((a, b) => a + b, 0) >= 250 || undefined, { timeoutMs: 5_000, message: 'the second flood counted' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(warnings.length, 1);
  } finally {
    socket.close();
  }
});

// The SWIM failure detector (Go's probe/probeNode): one node per ProbeInterval, round-robin. A UDP
// ping; after ProbeTimeout, indirect pings through k random alive peers plus a TCP fallback ping;
// if nothing answers before the (awareness-scaled) probe interval ends, the node is suspected.
import type { Core } from '../core.js';
import { kRandomNodes, nodeAddress } from '../core.js';
import { sleep } from '../clock.js';
import { encodeMessage } from '../wire/codec.js';
import { makeCompound } from '../wire/compound.js';
import { MessageType, type Ping } from '../wire/messages.js';
import { isDeadOrLeft, NodeStateType, type NodeRecord } from '../state/node.js';

export class Prober {
  private index = 0;
  private running = false;

  constructor(private readonly core: Core) {}

  /** One probe round; overlapping ticks are skipped, as Go's ticker drops them. */
  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.probe();
    } finally {
      this.running = false;
    }
  }

  private async probe(): Promise<void> {
    const { table, config } = this.core;
    let checked = 0;
    for (;;) {
      const nodes = table.nodes;
      if (checked >= nodes.length) return;
      if (this.index >= nodes.length) {
        table.reap(config.gossipToTheDeadTimeMs);
        this.index = 0;
        checked++;
        continue;
      }
      const node = nodes[this.index]!;
      this.index++;
      if (node.name === config.name || isDeadOrLeft(node)) { checked++; continue; }
      await this.probeNode(node);
      return;
    }
  }

  async probeNode(node: NodeRecord): Promise<void> {
    const { core } = this;
    const { config, clock } = core;
    const incarnation = node.incarnation;
    const probeInterval = core.awareness.scaleTimeout(config.probeIntervalMs);
    const seq = core.nextSeqNo();
    const ping: Ping = {
      SeqNo: seq, Node: node.name, SourceAddr: core.advertise.addr, SourcePort: core.advertise.port, SourceNode: config.name,
    };
    let nacks = 0;
    let settle: (ok: boolean) => void = () => {};
    const acked = new Promise<boolean>((resolve) => { settle = resolve; });
    core.acks.set(seq, { ack: () => settle(true), nack: () => { nacks++; }, timeout: () => settle(false) }, probeInterval);
    const start = clock.monotonic();
    const addr = nodeAddress(node);
    const pingBytes = encodeMessage({ type: MessageType.ping, body: ping });
    if (node.state === NodeStateType.alive) {
      core.sendMsg(addr, pingBytes);
    } else {
      const suspect = encodeMessage({ type: MessageType.suspect, body: { Incarnation: incarnation, Node: node.name, From: config.name } });
      core.rawSendPacket(addr, makeCompound([pingBytes, suspect]), node);
    }
    const first = await Promise.race([acked, sleep(clock, config.probeTimeoutMs).then(() => false)]);
    if (first) { core.awareness.applyDelta(-1); return; }
    const helpers = kRandomNodes(config.indirectChecks, core.table.nodes, {
      random: core.random,
      exclude: (n) => n.name === config.name || n.name === node.name || n.state !== NodeStateType.alive,
    });
    let expectedNacks = 0;
    for (const peer of helpers) {
      const nack = (peer.vsn[1] ?? 0) >= 4;
      if (nack) expectedNacks++;
      core.sendMsg(nodeAddress(peer), encodeMessage({ type: MessageType.indirectPing, body: {
        SeqNo: seq, Target: node.addr, Port: node.port, Node: node.name, Nack: nack,
        SourceAddr: core.advertise.addr, SourcePort: core.advertise.port, SourceNode: config.name,
      } }));
    }
    const tcp = !config.disableTcpPings && (node.vsn[1] ?? 0) >= 3
      ? this.tcpPing(node, ping, start + probeInterval - clock.monotonic())
      : Promise.resolve(false);
    if (await acked) { core.awareness.applyDelta(-1); return; }
    if (await tcp) {
      core.logger.warn({ node: node.name }, 'memberlist: was able to connect over TCP but UDP probes failed, network may be misconfigured');
      core.awareness.applyDelta(-1);
      return;
    }
    core.awareness.applyDelta(expectedNacks > 0 ? Math.max(0, expectedNacks - nacks) - 1 : 0);
    if (core.isShutdown()) return;
    core.logger.info({ node: node.name }, 'memberlist: suspect has failed, no acks received');
    core.table.suspectNode({ Incarnation: incarnation, Node: node.name, From: config.name });
  }

  /** Go's sendPingAndWaitForAck: the same ping over a fresh TCP connection, bounded by the probe deadline. */
  private async tcpPing(node: NodeRecord, ping: Ping, budgetMs: number): Promise<boolean> {
    const { core } = this;
    if (budgetMs <= 0) return false;
    let conn: import('node:stream').Duplex | undefined;
    const deadline = sleep(core.clock, budgetMs).then(() => false);
    const attempt = (async (): Promise<boolean> => {
      conn = await core.transport.dialStream(nodeAddress(node), budgetMs);
      core.io.write(conn, encodeMessage({ type: MessageType.ping, body: ping }), { dialer: true });
      const { message } = await core.io.read(conn, { accepting: false });
      return message.type === MessageType.ackResp && message.body.SeqNo === ping.SeqNo;
    })().catch(() => false);
    try {
      return await Promise.race([attempt, deadline]);
    } finally {
      conn?.destroy();
    }
  }
}

// Builds clusters of memberlist nodes on the in-memory network with one fake clock, for
// deterministic protocol tests: nodes n0..n(k-1) at 10.0.0.1.., and an event log per node.
import { createMemberlist, defaultLanConfig, InMemoryNetwork, TransmitLimitedQueue, type Memberlist, type MemberlistConfig, type Node } from '../../src/cluster/memberlist/index.js';
import { FakeClock, seededRandom } from '../../src/cluster/memberlist/testing/fake-clock.js';

export interface TestNode {
  name: string;
  ml: Memberlist;
  events: { kind: 'join' | 'leave' | 'update'; node: string; state: number }[];
  msgs: string[];
  userState: string[];
  meta: string;
  /** The application's broadcast queue (served through Delegate.getBroadcasts). */
  queue: TransmitLimitedQueue;
}

export class Cluster {
  readonly net = new InMemoryNetwork();
  readonly clock = new FakeClock();
  readonly nodes: TestNode[] = [];
  private seed = 1;

  async add(overrides: Partial<MemberlistConfig> = {}, meta = ''): Promise<TestNode> {
    const i = this.nodes.length;
    const name = overrides.name ?? `n${i}`;
    const host = `10.0.${Math.floor((i + 1) / 250)}.${((i + 1) % 250) + 1}`;
    const config = defaultLanConfig({ name, bindAddr: host, ...overrides });
    const t: TestNode = {
      name, ml: undefined as unknown as Memberlist, events: [], msgs: [], userState: [], meta,
      queue: new TransmitLimitedQueue({ retransmitMult: 4, numNodes: () => t.ml.numMembers() }) };
    const log = (kind: 'join' | 'leave' | 'update') => (n: Node) => t.events.push({ kind, node: n.name, state: n.state });
    t.ml = await createMemberlist(config, {
      transport: this.net.createTransport(host), clock: this.clock, random: seededRandom(this.seed++),
      delegate: {
        nodeMeta: () => new TextEncoder().encode(t.meta),
        notifyMsg: (m) => t.msgs.push(new TextDecoder().decode(m)),
        localState: () => new TextEncoder().encode(`state-of-${name}`),
        mergeRemoteState: (b) => t.userState.push(new TextDecoder().decode(b)),
        getBroadcasts: (overhead, limit) => t.queue.getBroadcasts(overhead, limit),
      },
      events: { notifyJoin: log('join'), notifyLeave: log('leave'), notifyUpdate: log('update') },
    });
    this.nodes.push(t);
    return t;
  }

  addr(t: TestNode): string {
    const n = t.ml.localNode;
    return `${n.addr}:${n.port}`;
  }

  /** Advances fake time in steps until `check` holds; returns the elapsed fake ms. */
  async until(check: () => boolean, options: { maxMs: number; stepMs?: number; message: string }): Promise<number> {
    const start = this.clock.monotonic();
    while (!check()) {
      if (this.clock.monotonic() - start > options.maxMs) throw new Error(`not within ${options.maxMs} fake ms: ${options.message}`);
      await this.clock.advance(options.stepMs ?? 50);
    }
    return this.clock.monotonic() - start;
  }

  stateOf(viewer: TestNode, name: string): number | undefined {
    return viewer.ml.allNodes().find((n) => n.name === name)?.state;
  }

  async shutdown(): Promise<void> {
    for (const n of this.nodes) await n.ml.shutdown();
  }
}

// The cluster channel's application side of memberlist's Delegate: topic handlers for user
// messages, per-topic push/pull state, and the queue of broadcasts piggybacked on gossip. Frames
// that are not ours (a Go or Serf peer's messages and state), unknown topics and handler errors are
// counted and ignored: one bad peer must not break the node or another feature's topic.
import type { Logger } from '../../core/ports.js';
import type { StateProvider } from '../channel/index.js';
import { TransmitLimitedQueue, type Delegate } from '../memberlist/index.js';
import { checkTopic, decodeMessageFrame, decodeStateFrame, encodeMessageFrame, encodeStateFrame } from './frames.js';

/** Broadcasts queued beyond this are dropped oldest first (counted), so a stalled cluster cannot grow memory. */
const MAX_QUEUED = 4096;

export type TopicDrop = 'undecodable_message' | 'unknown_topic' | 'undecodable_state' | 'handler_error' | 'queue_full';

export class Topics {
  readonly queue: TransmitLimitedQueue;
  readonly drops = new Map<TopicDrop, number>();
  sent = 0;
  received = 0;
  private readonly handlers = new Map<string, Set<(from: string, payload: Uint8Array) => void>>();
  private readonly states = new Map<string, StateProvider>();

  constructor(private readonly self: string, private readonly logger: Logger, numNodes: () => number) {
    this.queue = new TransmitLimitedQueue({ retransmitMult: 4, numNodes });
  }

  drop(reason: TopicDrop): void {
    this.drops.set(reason, (this.drops.get(reason) ?? 0) + 1);
  }

  on(topic: string, handler: (from: string, payload: Uint8Array) => void): () => void {
    checkTopic(topic);
    let set = this.handlers.get(topic);
    if (!set) { set = new Set(); this.handlers.set(topic, set); }
    set.add(handler);
    return () => { set.delete(handler); };
  }

  state(topic: string, provider: StateProvider): () => void {
    checkTopic(topic);
    this.states.set(topic, provider);
    return () => { if (this.states.get(topic) === provider) this.states.delete(topic); };
  }

  frame(topic: string, payload: Uint8Array): Uint8Array {
    return encodeMessageFrame(this.self, topic, payload);
  }

  enqueue(frame: Uint8Array): void {
    this.queue.queueBroadcast({ message: frame });
    this.sent++;
    const pruned = this.queue.prune(MAX_QUEUED);
    for (let i = 0; i < pruned; i++) this.drop('queue_full');
  }

  delegate(meta: () => Uint8Array): Delegate {
    return {
      nodeMeta: () => meta(),
      notifyMsg: (msg) => this.deliver(msg),
      getBroadcasts: (overhead, limit) => this.queue.getBroadcasts(overhead, limit),
      localState: () => encodeStateFrame(this.self, [...this.states].map(([t, p]) => [t, this.safeLocal(t, p)] as const)),
      mergeRemoteState: (buf) => this.merge(buf),
    };
  }

  private deliver(msg: Uint8Array): void {
    const frame = decodeMessageFrame(msg);
    if (!frame) { this.drop('undecodable_message'); return; }
    if (frame.from === this.self) return;
    const set = this.handlers.get(frame.topic);
    if (!set || set.size === 0) { this.drop('unknown_topic'); return; }
    this.received++;
    for (const h of set) {
      try {
        h(frame.from, frame.payload);
      } catch (e) {
        this.drop('handler_error');
        this.logger.warn({ topic: frame.topic, err: String(e) }, 'cluster: topic handler failed');
      }
    }
  }

  private merge(buf: Uint8Array): void {
    const state = decodeStateFrame(buf);
    if (!state) { this.drop('undecodable_state'); return; }
    if (state.from === this.self) return;
    for (const [topic, body] of state.topics) {
      const provider = this.states.get(topic);
      if (!provider) { this.drop('unknown_topic'); continue; }
      try {
        provider.merge(state.from, body);
      } catch (e) {
        this.drop('handler_error');
        this.logger.warn({ topic, err: String(e) }, 'cluster: state merge failed');
      }
    }
  }

  private safeLocal(topic: string, p: StateProvider): Uint8Array {
    try {
      return p.local();
    } catch (e) {
      this.drop('handler_error');
      this.logger.warn({ topic, err: String(e) }, 'cluster: local state failed');
      return new Uint8Array(0);
    }
  }
}

// The cluster channel: what the gateway's cluster features (shared usage counters, live config
// notices, leader election, status) need from the gossip layer, and nothing more. The gateway's
// gossip node implements it on memberlist (user messages, broadcasts piggybacked on gossip,
// push/pull state for anti-entropy, membership events); tests use the in-memory hub beside it.
// Messages are small byte payloads tagged with a topic; a feature owns its topics.

export type MemberState = 'alive' | 'suspect' | 'dead' | 'left';

export interface MemberEvent {
  node: string;
  state: MemberState;
}

/** A topic's share of push/pull anti-entropy: the state this node sends, and how it takes a peer's. */
export interface StateProvider {
  local(): Uint8Array;
  merge(from: string, remote: Uint8Array): void;
}

export interface ClusterChannel {
  /** This node's name, unique in the cluster. */
  readonly self: string;
  /** Sends `payload` to every other member, best effort (gossiped; may arrive late or twice). */
  broadcast(topic: string, payload: Uint8Array): void;
  /** Handles a topic's messages; `from` is the sender's name. Returns the unsubscribe function. */
  on(topic: string, handler: (from: string, payload: Uint8Array) => void): () => void;
  /** Registers a topic's anti-entropy state. Returns the unregister function. */
  state(topic: string, provider: StateProvider): () => void;
  /** Names of the members currently alive, this node included. */
  alive(): readonly string[];
  /** Membership changes of other members. Returns the unsubscribe function. */
  onMembership(listener: (event: MemberEvent) => void): () => void;
}

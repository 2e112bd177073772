// The application's hooks into memberlist, mirroring Go's Delegate and EventDelegate: node meta,
// user messages, the application's broadcast share, push/pull user state, and membership events.
// All are called synchronously from the protocol loop and must not block.
import type { Node } from './state/node.js';

export interface Delegate {
  /** Meta for our alive messages; must be at most `limit` (512) bytes. */
  nodeMeta?(limit: number): Uint8Array;
  /** A user message (UDP best-effort, TCP reliable, or a gossiped broadcast). */
  notifyMsg?(msg: Uint8Array): void;
  /** Application broadcasts to piggyback, at most `limit` bytes counting `overhead` per item. */
  getBroadcasts?(overhead: number, limit: number): Uint8Array[];
  /** Push/pull user state. */
  localState?(join: boolean): Uint8Array;
  /** Called only with a non-empty remote state. */
  mergeRemoteState?(buf: Uint8Array, join: boolean): void;
}

export interface EventDelegate {
  notifyJoin?(node: Node): void;
  /** Dead or left, including ourselves on leave. */
  notifyLeave?(node: Node): void;
  /** Meta (or version) changed. */
  notifyUpdate?(node: Node): void;
}

/** Optional filters, as Go's AliveDelegate / ConflictDelegate. */
export interface AliveDelegate {
  /** Return an error message to reject the alive. */
  notifyAlive(node: Node): string | undefined;
}

export interface ConflictDelegate {
  notifyConflict(existing: Node, other: Node): void;
}

// What a gateway's own config writers tell its config sync, without any database module (the
// config service loads this in file-only mode too): the node id its notices carry, and its own
// committed writes — config sync re-broadcasts those over the cluster channel and so knows this
// node's state is already current (a replica does not reload what it wrote itself).
import { randomUUID } from 'node:crypto';

export type SyncSectionName = 'config' | 'governance';

/** The handle a gateway's writers share: its config store database (object identity only). */
type NodeHandle = object;

// A node is one open Database handle (one gateway): tests run several gateways in one process, and
// every writer of a gateway (config store, governance store) shares its database handle.
const nodes = new WeakMap<NodeHandle, string>();

/** This gateway's name in notices: random per database handle unless set with `setNodeId`. */
export function nodeIdOf(database: NodeHandle): string {
  let node = nodes.get(database);
  if (node === undefined) {
    node = randomUUID();
    nodes.set(database, node);
  }
  return node;
}

/** Names this gateway in notices (e.g. its cluster member name); call before the first write. */
export function setNodeId(database: NodeHandle, node: string): void {
  if (!/^[^\s:]{1,200}$/.test(node)) throw new Error(`invalid node id "${node}" (no spaces or colons, 1-200 characters)`);
  nodes.set(database, node);
}

export type LocalWriteListener = (section: SyncSectionName, version: number) => void;

const localListeners = new WeakMap<NodeHandle, Set<LocalWriteListener>>();

/** Subscribes to this gateway's own committed writes. Returns the unsubscribe function. */
export function onLocalWrite(database: NodeHandle, listener: LocalWriteListener): () => void {
  let set = localListeners.get(database);
  if (!set) localListeners.set(database, (set = new Set()));
  set.add(listener);
  return () => set.delete(listener);
}

/** Called by a writer once its write committed and its in-memory state reflects `version`. */
export function announceLocalWrite(database: NodeHandle, section: SyncSectionName, version: number): void {
  for (const listener of [...localListeners.get(database) ?? []]) {
    try {
      listener(section, version);
    } catch {
      // A listener's failure must not fail the write that already committed.
    }
  }
}

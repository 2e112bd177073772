// Public surface of the cluster channel: the interface cluster features are written against, and
// the in-memory hub their tests run on.
export type { ClusterChannel, MemberEvent, MemberState, StateProvider } from './channel.js';
export { InMemoryHub } from './in-memory-hub.js';

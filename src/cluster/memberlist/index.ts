// Public surface of the memberlist module: create a node, its config presets, delegates, the
// broadcast queue for application gossip, and the injectable clock and in-memory network.
export { createMemberlist, Memberlist, pushPullScale, type MemberlistOptions } from './memberlist.js';
export { defaultLanConfig, defaultLocalConfig, defaultWanConfig, type MemberlistConfig } from './config.js';
export type { AliveDelegate, ConflictDelegate, Delegate, EventDelegate } from './delegate.js';
export { NodeStateType, NODE_STATE_NAMES, type Node } from './state/node.js';
export { TransmitLimitedQueue, retransmitLimit, type Broadcast } from './broadcast/transmit-limited-queue.js';
export { systemTimerClock, type TimerClock, type TimerHandle } from './clock.js';
export { InMemoryNetwork, InMemoryTransport } from './transport/in-memory-network.js';
export { FakeClock, seededRandom } from './testing/fake-clock.js';
export type { Address, Transport } from './transport/transport.js';
export { createNetTransport, NetTransport, type NetTransportOptions } from './transport/net-transport.js';
export { FilteredTransport, type TransportCounts } from './transport/filtered-transport.js';

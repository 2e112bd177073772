// The gossip tick (every GossipInterval): pick GossipNodes random peers that are alive, suspect, or
// recently dead, and send each a packet of queued broadcasts within the UDP budget — memberlist's
// own alive/suspect/dead first, then the application's share as user messages.
import { kRandomNodes, nodeAddress, type Core } from '../core.js';
import { makeCompounds } from '../wire/compound.js';
import { NodeStateType } from '../state/node.js';

/** Bytes a compound adds per part (the u16 length). */
export const COMPOUND_OVERHEAD = 2;

export function gossip(core: Core): void {
  const { config, clock } = core;
  const now = clock.monotonic();
  const targets = kRandomNodes(config.gossipNodes, core.table.nodes, {
    random: core.random,
    exclude: (n) => {
      if (n.name === config.name) return true;
      if (n.state === NodeStateType.alive || n.state === NodeStateType.suspect) return false;
      if (n.state === NodeStateType.dead) return now - n.stateChange > config.gossipToTheDeadTimeMs;
      return true;
    },
  });
  const bytesAvail = config.udpBufferSize - COMPOUND_OVERHEAD - core.io.overhead();
  for (const node of targets) {
    const msgs = core.getBroadcasts(COMPOUND_OVERHEAD, bytesAvail);
    if (msgs.length === 0) return;
    for (const packet of makeCompounds(msgs)) core.rawSendPacket(nodeAddress(node), packet, node);
  }
}

// Serves one inbound TCP connection (Go's handleConn): exactly one request — a push/pull exchange,
// a reliable user message or a fallback ping — under the TCP timeout; failures are counted and,
// where Go does, answered with an errResp.
import type { Duplex } from 'node:stream';
import type { Core } from '../core.js';
import { encodeMessage, encodeTyped } from '../wire/codec.js';
import { MessageType } from '../wire/messages.js';
import type { Address } from '../transport/transport.js';
import { encodeLocalState, mergeRemoteState } from '../push-pull/push-pull.js';
import { dropReason } from './packet-handler.js';

export async function handleStream(core: Core, conn: Duplex, from: Address): Promise<void> {
  conn.on('error', () => {});
  const timer = core.clock.setTimer(() => conn.destroy(), core.config.tcpTimeoutMs);
  let stage = 'read';
  try {
    const { message } = await core.io.read(conn, { accepting: true });
    if (message.type === MessageType.ping) {
      const p = message.body;
      if (p.Node !== '' && p.Node !== core.config.name) { core.drops.add('ping_wrong_node'); return; }
      core.io.write(conn, encodeMessage({ type: MessageType.ackResp, body: { SeqNo: p.SeqNo, Payload: null } }), { dialer: false });
    } else if (message.type === MessageType.user) {
      core.delegate?.notifyMsg?.(message.body);
    } else if (message.type === MessageType.pushPull) {
      const remote = message.body;
      stage = 'merge';
      core.io.write(conn, encodeLocalState(core, remote.header.Join), { dialer: false });
      mergeRemoteState(core, remote, remote.header.Join);
    } else {
      core.drops.add('unexpected_message');
      core.io.write(conn, encodeTyped(MessageType.err, { Error: `unexpected message type ${message.type}` }), { dialer: false });
    }
  } catch (e) {
    core.drops.add(stage === 'merge' ? 'push_pull_refused' : dropReason(e));
    core.logger.warn({ from, err: String(e) }, 'memberlist: failed to handle stream');
    if (stage === 'read' && !conn.destroyed) {
      try {
        core.io.write(conn, encodeTyped(MessageType.err, { Error: e instanceof Error ? e.message : String(e) }), { dialer: false });
      } catch {
        // the connection is already gone
      }
    }
  } finally {
    timer.cancel();
    if (!conn.destroyed) conn.end();
  }
}

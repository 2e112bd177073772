// Serves one inbound TCP connection (Go's handleConn): exactly one request — a push/pull exchange,
// a reliable user message or a fallback ping — under the TCP timeout; failures are counted and,
// where Go does, answered with an errResp.
import type { Duplex } from 'node:stream';
import type { Core } from '../core.js';
import { encodeMessage, encodeTyped } from '../wire/codec.js';
import { MessageType } from '../wire/messages.js';
import { toPing, toUserMsgHeader } from '../wire/structs.js';
import type { Address } from '../transport/transport.js';
import { encodeLocalState, mergeRemoteState, readRemoteState } from '../push-pull/push-pull.js';
import { dropReason } from './packet-handler.js';
import type { StreamIO } from './stream-io.js';

const MAX_USER_MSG = 20 * 1024 * 1024;

export async function handleStream(core: Core, streams: StreamIO, conn: Duplex, from: Address): Promise<void> {
  conn.on('error', () => {});
  const timer = core.clock.setTimer(() => conn.destroy(), core.config.tcpTimeoutMs);
  let stage = 'read';
  try {
    const { type, source } = await streams.read(conn, { accepting: true });
    if (type === MessageType.ping) {
      const p = toPing(await source.readMsgpack());
      if (p.Node !== '' && p.Node !== core.config.name) { core.drops.add('ping_wrong_node'); return; }
      streams.write(conn, encodeMessage({ type: MessageType.ackResp, body: { SeqNo: p.SeqNo, Payload: null } }), { dialer: false });
    } else if (type === MessageType.user) {
      const h = toUserMsgHeader(await source.readMsgpack());
      if (h.UserMsgLen < 0 || h.UserMsgLen > MAX_USER_MSG) { core.drops.add('too_large'); return; }
      const msg = await source.readBytes(h.UserMsgLen);
      core.delegate?.notifyMsg?.(msg);
    } else if (type === MessageType.pushPull) {
      const remote = await readRemoteState(source);
      stage = 'merge';
      streams.write(conn, encodeLocalState(core, remote.header.Join), { dialer: false });
      mergeRemoteState(core, remote, remote.header.Join);
    } else {
      core.drops.add('unknown_type');
      streams.write(conn, encodeTyped(MessageType.err, { Error: `unexpected message type ${type}` }), { dialer: false });
    }
  } catch (e) {
    core.drops.add(stage === 'merge' ? 'push_pull_refused' : dropReason(e));
    core.logger.warn({ from, err: String(e) }, 'memberlist: failed to handle stream');
    if (stage === 'read' && !conn.destroyed) {
      try {
        streams.write(conn, encodeTyped(MessageType.err, { Error: e instanceof Error ? e.message : String(e) }), { dialer: false });
      } catch {
        // the connection is already gone
      }
    }
  } finally {
    timer.cancel();
    if (!conn.destroyed) conn.end();
  }
}

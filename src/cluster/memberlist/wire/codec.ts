// One typed message: the type byte followed by one msgpack body (or, for a UDP user message, raw
// bytes). encodeMessage writes Go's exact bytes (sorted keys, raw strings, nil slices); decodeMessage
// accepts what Go's lenient decoder accepts and rejects trailing garbage inside the body's bounds
// only where Go would (it ignores it, so do we).
import { WireError } from './errors.js';
import { MessageType, type Message } from './messages.js';
import { decodeMsgpack, MsgpackWriter, type DecodeLimits, type MsgpackValue } from './msgpack.js';
import {
  fromStruct, toAckResp, toAlive, toDead, toErrResp, toIndirectPingReq, toNackResp, toPing, toSuspect,
} from './structs.js';

/** Encodes one typed message into `type byte + body`. */
export function encodeMessage(msg: Message): Uint8Array {
  if (msg.type === MessageType.user) {
    const out = new Uint8Array(1 + msg.body.length);
    out[0] = MessageType.user;
    out.set(msg.body, 1);
    return out;
  }
  return new MsgpackWriter().byte(msg.type).struct(fromStruct(msg.body)).finish();
}

/** Encodes any struct body under a type byte (used for stream headers and compress wrappers). */
export function encodeTyped(type: number, body: object): Uint8Array {
  return new MsgpackWriter().byte(type).struct(fromStruct(body)).finish();
}

/** Decodes the msgpack body of a typed message (msgpack must be complete within `buf`). */
export function decodeBody(buf: Uint8Array, offset = 1, limits?: DecodeLimits): MsgpackValue {
  try {
    return decodeMsgpack(buf, offset, limits).value;
  } catch (e) {
    if (e instanceof WireError && e.reason === 'truncated') throw new WireError('malformed_msgpack', 'body is truncated');
    throw e;
  }
}

/**
 * Decodes one leaf message. Wrappers (compound, compress, hasCrc, encrypt, label) are not leaves:
 * use decodePacket for a whole UDP packet.
 */
export function decodeMessage(buf: Uint8Array): Message {
  if (buf.length < 1) throw new WireError('truncated', 'empty message');
  const type = buf[0] as number;
  switch (type) {
    case MessageType.ping: return { type, body: toPing(decodeBody(buf)) };
    case MessageType.indirectPing: return { type, body: toIndirectPingReq(decodeBody(buf)) };
    case MessageType.ackResp: return { type, body: toAckResp(decodeBody(buf)) };
    case MessageType.nackResp: return { type, body: toNackResp(decodeBody(buf)) };
    case MessageType.suspect: return { type, body: toSuspect(decodeBody(buf)) };
    case MessageType.alive: return { type, body: toAlive(decodeBody(buf)) };
    case MessageType.dead: return { type, body: toDead(decodeBody(buf)) };
    case MessageType.err: return { type, body: toErrResp(decodeBody(buf)) };
    case MessageType.user: return { type, body: buf.slice(1) };
    default: throw new WireError('unknown_type', `message type ${type} is not a leaf message`);
  }
}

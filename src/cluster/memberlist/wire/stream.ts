// TCP stream framing. The dialer writes [label header] then a plain message, a 09 compress wrapper
// of the whole message, or 0a + u32 length + the encrypted (possibly compressed) message; the
// acceptor's reply has no label header but still authenticates with the label. Messages carried
// on streams: ping (TCP fallback), ack, push/pull (header, node states, raw user state), user
// message (header, raw bytes) and err. Every size is bounded; timeouts are the caller's.
import type { Duplex } from 'node:stream';
import { encodeMessage, encodeTyped } from './codec.js';
import { compressPayload, decompressStruct } from './compress.js';
import { WireError } from './errors.js';
import { addLabel, checkLabel, labelBytes, type LabelPolicy } from './label.js';
import type { LzwLimits } from './lzw.js';
import { MessageType, type AckResp, type ErrResp, type Ping, type PushPull } from './messages.js';
import { MsgpackWriter } from './msgpack.js';
import { StreamReader } from './stream-reader.js';
import {
  fromStruct, toAckResp, toCompress, toErrResp, toPing, toPushNodeState, toPushPullHeader, toUserMsgHeader,
} from './structs.js';
import { decryptPayload, encryptPayload, encryptedLength, type EncryptionVersion } from '../security/encryption.js';
import type { Keyring } from '../security/keyring.js';

/** memberlist HEAD's limits: 20 MiB of user state / user message, 1M push/pull nodes. */
export const MAX_USER_STATE = 20 * 1024 * 1024;
export const MAX_PUSH_NODES = 1024 * 1024;
/** The whole stream: user state plus node states and headers. */
export const MAX_STREAM_SIZE = 64 * 1024 * 1024;

export type StreamMessage =
  | { type: typeof MessageType.ping; body: Ping }
  | { type: typeof MessageType.ackResp; body: AckResp }
  | { type: typeof MessageType.err; body: ErrResp }
  | { type: typeof MessageType.pushPull; body: PushPull }
  | { type: typeof MessageType.user; body: Uint8Array };

export interface StreamEncodeOptions {
  label?: string;
  /** Only the dialer writes the label header. */
  writeLabelHeader?: boolean;
  keyring?: Keyring | null;
  encryptionVersion?: EncryptionVersion;
  /** memberlist always compresses stream messages when compression is enabled. */
  compress?: boolean;
  nonce?: Uint8Array;
}

export function encodePushPull(pp: PushPull): Uint8Array {
  const w = new MsgpackWriter().byte(MessageType.pushPull);
  w.struct({ Join: pp.header.Join, Nodes: pp.nodes.length, UserStateLen: pp.userState.length });
  for (const n of pp.nodes) w.struct(fromStruct(n));
  return w.bytes(pp.userState).finish();
}

export function encodeUserStream(data: Uint8Array): Uint8Array {
  return new MsgpackWriter().byte(MessageType.user).struct({ UserMsgLen: data.length }).bytes(data).finish();
}

export function encodeStreamMessage(msg: StreamMessage): Uint8Array {
  switch (msg.type) {
    case MessageType.pushPull: return encodePushPull(msg.body);
    case MessageType.user: return encodeUserStream(msg.body);
    case MessageType.err: return encodeTyped(MessageType.err, msg.body);
    default: return encodeMessage(msg);
  }
}

/** Frames one stream message: [label] [0a len] [09 compress] message. */
export function encodeStream(msg: Uint8Array, opts: StreamEncodeOptions = {}): Uint8Array {
  let buf = opts.compress ? compressPayload(msg) : msg;
  const label = opts.label ?? '';
  if (opts.keyring) {
    const version = opts.encryptionVersion ?? 1;
    const header = new Uint8Array(5);
    header[0] = MessageType.encrypt;
    new DataView(header.buffer).setUint32(1, encryptedLength(version, buf.length));
    const aad = concat(header, labelBytes(label));
    const payload = encryptPayload(opts.keyring.getPrimaryKey(), buf, {
      version, aad, ...(opts.nonce ? { nonce: opts.nonce } : {}),
    });
    buf = concat(header, payload);
  }
  return opts.writeLabelHeader ? addLabel(buf, label) : buf;
}

export interface StreamReadOptions extends LabelPolicy {
  /** True on the accepting side (a label header may lead); false when reading a reply. */
  readLabelHeader: boolean;
  keyring?: Keyring | null;
  /** With a keyring, reject plaintext streams (default true). */
  verifyIncoming?: boolean;
  maxStreamSize?: number;
  lzw?: LzwLimits;
}

export interface ReadStreamResult {
  message: StreamMessage;
  encrypted: boolean;
  compressed: boolean;
}

/** Reads exactly one stream message. Throws WireError; 'not_encrypted' means reply with an error. */
export async function readStreamMessage(conn: Duplex | Uint8Array, opts: StreamReadOptions): Promise<ReadStreamResult> {
  const maxBytes = opts.maxStreamSize ?? MAX_STREAM_SIZE;
  const outer = new StreamReader(conn, { maxBytes });
  try {
    let aadLabel = labelBytes(opts.label);
    if (opts.readLabelHeader) {
      let raw: Uint8Array = new Uint8Array(0);
      if ((await outer.peek()) === MessageType.hasLabel) {
        await outer.byte();
        const len = await outer.byte();
        if (len === 0) throw new WireError('bad_label', 'label header of length zero');
        raw = await outer.exact(len);
      }
      aadLabel = checkLabel(raw, opts);
    }
    let reader = outer;
    let encrypted = false;
    if ((await outer.peek()) === MessageType.encrypt) {
      if (!opts.keyring) throw new WireError('decrypt_failed', 'stream is encrypted and no keyring is configured');
      const header = await outer.exact(5);
      const len = new DataView(header.buffer).getUint32(1);
      if (len > maxBytes) throw new WireError('too_large', `encrypted stream of ${len} bytes`);
      const payload = await outer.exact(len);
      reader = new StreamReader(decryptPayload(opts.keyring, payload, concat(header, aadLabel)), { maxBytes });
      encrypted = true;
    } else if (opts.keyring && opts.verifyIncoming !== false) {
      throw new WireError('not_encrypted', 'encryption is configured but the remote stream is not encrypted');
    }
    let compressed = false;
    if ((await reader.peek()) === MessageType.compress) {
      await reader.byte();
      const inner = decompressStruct(toCompress(await reader.msgpack()), opts.lzw);
      reader = new StreamReader(inner, { maxBytes });
      compressed = true;
    }
    return { message: await readBody(reader), encrypted, compressed };
  } finally {
    outer.release();
  }
}

async function readBody(r: StreamReader): Promise<StreamMessage> {
  const type = await r.byte();
  switch (type) {
    case MessageType.ping: return { type, body: toPing(await r.msgpack()) };
    case MessageType.ackResp: return { type, body: toAckResp(await r.msgpack()) };
    case MessageType.err: return { type, body: toErrResp(await r.msgpack()) };
    case MessageType.user: {
      const { UserMsgLen } = toUserMsgHeader(await r.msgpack());
      if (UserMsgLen < 0 || UserMsgLen > MAX_USER_STATE) throw new WireError('too_large', `user message of ${UserMsgLen} bytes`);
      return { type, body: await r.exact(UserMsgLen) };
    }
    case MessageType.pushPull: {
      const header = toPushPullHeader(await r.msgpack());
      if (header.Nodes < 0 || header.Nodes > MAX_PUSH_NODES) throw new WireError('too_large', `push/pull of ${header.Nodes} nodes`);
      if (header.UserStateLen < 0 || header.UserStateLen > MAX_USER_STATE) {
        throw new WireError('too_large', `user state of ${header.UserStateLen} bytes`);
      }
      const nodes = [];
      for (let i = 0; i < header.Nodes; i++) nodes.push(toPushNodeState(await r.msgpack()));
      return { type, body: { header, nodes, userState: await r.exact(header.UserStateLen) } };
    }
    default: throw new WireError('unknown_type', `message type ${type} is not valid on a stream`);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

// The memberlist message catalogue: type numbers (the first byte of every message, part of the
// protocol and only ever growing) and one interface per Go struct, with Go's exact, case-sensitive
// msgpack field names. Byte-slice fields ([]byte, net.IP, Vsn) are Uint8Array; strings are JS
// strings (UTF-8 on the wire, decoded from raw bytes by the codec); Go ints are JS numbers.

export const MessageType = {
  ping: 0,
  indirectPing: 1,
  ackResp: 2,
  suspect: 3,
  alive: 4,
  dead: 5,
  pushPull: 6,
  compound: 7,
  user: 8,
  compress: 9,
  encrypt: 10,
  nackResp: 11,
  hasCrc: 12,
  err: 13,
  hasLabel: 244,
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** NodeStateType as carried in pushNodeState.State. */
export const NodeState = { alive: 0, suspect: 1, dead: 2, left: 3 } as const;
export type NodeState = (typeof NodeState)[keyof typeof NodeState];

/** compress.Algo values. Only LZW exists. */
export const CompressionAlgo = { lzw: 0 } as const;

export const META_MAX_SIZE = 512;
export const LABEL_MAX_SIZE = 255;
export const COMPOUND_MAX_PARTS = 255;
export const UDP_BUFFER_SIZE = 1400;
export const PROTOCOL_VERSION_MIN = 1;
export const PROTOCOL_VERSION_MAX = 5;
export const PROTOCOL_VERSION_DEFAULT = 2;

/** Optional fields are the omitempty-tagged ones; they are left out when zero. */
export interface Ping {
  SeqNo: number;
  /** The *target's* node name; may be "". */
  Node: string;
  SourceAddr?: Uint8Array | undefined;
  SourcePort?: number | undefined;
  SourceNode?: string | undefined;
}

export interface IndirectPingReq {
  SeqNo: number;
  Target: Uint8Array;
  Port: number;
  Node: string;
  Nack: boolean;
  SourceAddr?: Uint8Array | undefined;
  SourcePort?: number | undefined;
  SourceNode?: string | undefined;
}

export interface AckResp {
  SeqNo: number;
  /** null encodes as msgpack nil (Go's nil slice). */
  Payload: Uint8Array | null;
}

export interface NackResp {
  SeqNo: number;
}

export interface ErrResp {
  Error: string;
}

export interface Suspect {
  Incarnation: number;
  Node: string;
  From: string;
}

export interface Alive {
  Incarnation: number;
  Node: string;
  Addr: Uint8Array;
  Port: number;
  Meta: Uint8Array | null;
  /** [PMin, PMax, PCur, DMin, DMax, DCur]; always send 6 bytes. */
  Vsn: Uint8Array;
}

export interface Dead {
  Incarnation: number;
  Node: string;
  /** From === Node means a voluntary leave. */
  From: string;
}

export interface PushPullHeader {
  Nodes: number;
  UserStateLen: number;
  Join: boolean;
}

export interface PushNodeState {
  Name: string;
  Addr: Uint8Array;
  Port: number;
  Meta: Uint8Array | null;
  Incarnation: number;
  State: number;
  Vsn: Uint8Array;
}

export interface UserMsgHeader {
  UserMsgLen: number;
}

export interface Compress {
  Algo: number;
  Buf: Uint8Array;
}

/** One decoded typed message (not a wrapper: compound/compress/crc/encrypt/label are unwrapped). */
export type Message =
  | { type: typeof MessageType.ping; body: Ping }
  | { type: typeof MessageType.indirectPing; body: IndirectPingReq }
  | { type: typeof MessageType.ackResp; body: AckResp }
  | { type: typeof MessageType.nackResp; body: NackResp }
  | { type: typeof MessageType.suspect; body: Suspect }
  | { type: typeof MessageType.alive; body: Alive }
  | { type: typeof MessageType.dead; body: Dead }
  | { type: typeof MessageType.err; body: ErrResp }
  /** User message over UDP: the raw bytes after the type byte. */
  | { type: typeof MessageType.user; body: Uint8Array };

/** A full push/pull state message as carried on a stream. */
export interface PushPull {
  header: PushPullHeader;
  nodes: PushNodeState[];
  userState: Uint8Array;
}

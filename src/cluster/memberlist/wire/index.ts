// Public surface of the memberlist wire layer (byte-compatible with HashiCorp memberlist 0.2.2+).
//
// Messages: `MessageType` numbers, Go structs (`Ping`, `Alive`, `PushNodeState`, ...) with Go's field
//   names, `Message` (a decoded leaf), `PushPull`, constants (LABEL_MAX_SIZE, META_MAX_SIZE, ...).
// One message: `encodeMessage(msg)` / `decodeMessage(buf)` (type byte + msgpack body; user = raw).
// Compound: `makeCompounds(msgs)` (splits at 255), `makeCompound`, `decodeCompound` (prefix + truncated).
// UDP packets: `encodePacket(msg, {compress, crc, keyring, encryptionVersion, label})` applies
//   compress (if smaller) → CRC → encrypt → label; `decodePacket(data, {label, keyring,
//   verifyIncoming, skipInboundLabelCheck})` undoes it and returns `{messages, errors, encrypted, crc}`
//   (per-part errors inside compounds are collected, whole-packet errors thrown).
// TCP streams: `encodeStream(msgBytes, {label, writeLabelHeader, keyring, compress})` frames one
//   message built with `encodePushPull`, `encodeUserStream`, `encodeStreamMessage` or encodeMessage;
//   `readStreamMessage(conn, {readLabelHeader, label, keyring, verifyIncoming})` reads exactly one
//   (ping, ack, err, pushPull, user) from a Duplex incrementally, bounded. `StreamReader` is the
//   bounded incremental reader underneath.
// Building blocks: LZW (`lzwCompress`, `lzwDecompress` with size and ratio caps), CRC (`addCrc`,
//   `hasCrc`, `stripCrc`), labels (`addLabel`, `stripLabel`, `checkLabel`, `labelHeader`),
//   compress wrapper (`compressPayload`, `decompressPayload`), msgpack (`MsgpackWriter`,
//   `encodeMsgpack`, `decodeMsgpack`) and struct converters (`toPing`, `toAlive`, ...).
// Errors: every decoder throws only `WireError`, whose `reason` (WireErrorReason) is stable.
// Encryption and the keyring live in ../security/ (re-exported here for convenience).
export * from './messages.js';
export { WireError, isWireError, type WireErrorReason } from './errors.js';
export {
  MsgpackWriter, encodeMsgpack, decodeMsgpack, IncompleteMsgpack,
  type MsgpackValue, type MsgpackMap, type EncodableValue, type EncodableStruct, type DecodeLimits, type Decoded,
} from './msgpack.js';
export {
  toPing, toIndirectPingReq, toAckResp, toNackResp, toErrResp, toSuspect, toDead, toAlive,
  toPushPullHeader, toPushNodeState, toUserMsgHeader, toCompress, fromStruct,
} from './structs.js';
export { encodeMessage, encodeTyped, decodeMessage, decodeBody } from './codec.js';
export { makeCompound, makeCompounds, decodeCompound, type DecodedCompound } from './compound.js';
export { addCrc, hasCrc, stripCrc } from './crc.js';
export { lzwCompress, lzwDecompress, LZW_MAX_OUTPUT, type LzwLimits } from './lzw.js';
export { compressPayload, decompressPayload, decompressStruct } from './compress.js';
export { addLabel, stripLabel, checkLabel, labelBytes, labelHeader, type LabelPolicy } from './label.js';
export {
  encodePacket, decodePacket, MAX_PACKET_SIZE,
  type PacketEncodeOptions, type PacketDecodeOptions, type DecodedPacket,
} from './packet.js';
export { StreamReader, type StreamReaderLimits } from './stream-reader.js';
export {
  encodeStream, encodePushPull, encodeUserStream, encodeStreamMessage, readStreamMessage,
  MAX_STREAM_SIZE, MAX_USER_STATE, MAX_PUSH_NODES,
  type StreamMessage, type StreamEncodeOptions, type StreamReadOptions, type ReadStreamResult,
} from './stream.js';
export * from '../security/index.js';

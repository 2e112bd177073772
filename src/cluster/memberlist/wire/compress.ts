// The compress wrapper (type 9): 09 + msgpack {Algo: 0, Buf: LZW bytes}. The decompressed bytes
// start with the inner message's type byte.
import { encodeTyped, decodeBody } from './codec.js';
import { WireError } from './errors.js';
import { lzwCompress, lzwDecompress, type LzwLimits } from './lzw.js';
import { CompressionAlgo, MessageType, type Compress } from './messages.js';
import { toCompress } from './structs.js';

export function compressPayload(inner: Uint8Array): Uint8Array {
  return encodeTyped(MessageType.compress, { Algo: CompressionAlgo.lzw, Buf: lzwCompress(inner) });
}

/** Decodes a 09-prefixed wrapper and returns the decompressed bytes (never empty). */
export function decompressPayload(buf: Uint8Array, limits?: LzwLimits): Uint8Array {
  if (buf[0] !== MessageType.compress) throw new WireError('unknown_type', 'not a compress message');
  return decompressStruct(toCompress(decodeBody(buf)), limits);
}

/** Decompresses an already-decoded compress struct (never empty output). */
export function decompressStruct(c: Compress, limits?: LzwLimits): Uint8Array {
  if (c.Algo !== CompressionAlgo.lzw) throw new WireError('bad_algo', `unknown compression algorithm ${c.Algo}`);
  const out = lzwDecompress(c.Buf, limits);
  if (out.length === 0) throw new WireError('decompress_failed', 'decompressed to nothing');
  return out;
}

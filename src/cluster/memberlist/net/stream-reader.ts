// Reads memberlist stream messages from a Duplex, which are not length-delimited: one msgpack value
// after another, then raw tails sized by their headers. Bytes are buffered as they arrive and a
// value is decoded once complete, so a Go dialer that keeps the connection open is answered without
// waiting for EOF. Every read is bounded in size and time.
import type { Duplex } from 'node:stream';
import { WireError } from '../wire/errors.js';
import { decodeMsgpack, IncompleteMsgpack, type MsgpackValue } from '../wire/msgpack.js';

/** HEAD's cap on a stream payload (push/pull state or user message), plus headers. */
export const MAX_STREAM_BYTES = 20 * 1024 * 1024 + 64 * 1024;

export interface ByteSource {
  readByte(): Promise<number>;
  readBytes(n: number): Promise<Uint8Array>;
  readMsgpack(): Promise<MsgpackValue>;
}

/** A source over bytes already in memory (a decrypted or decompressed stream message). */
export class BufferSource implements ByteSource {
  private pos = 0;

  constructor(private readonly buf: Uint8Array) {}

  async readByte(): Promise<number> {
    if (this.pos >= this.buf.length) throw new WireError('truncated', 'stream message ended early');
    return this.buf[this.pos++]!;
  }

  async readBytes(n: number): Promise<Uint8Array> {
    if (this.pos + n > this.buf.length) throw new WireError('truncated', 'stream message ended early');
    const out = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  async readMsgpack(): Promise<MsgpackValue> {
    try {
      const d = decodeMsgpack(this.buf, this.pos);
      this.pos += d.length;
      return d.value;
    } catch (e) {
      if (e instanceof IncompleteMsgpack) throw new WireError('truncated', 'stream message ended early');
      throw e;
    }
  }
}

export class StreamReader implements ByteSource {
  private chunks: Buffer = Buffer.alloc(0);
  private total = 0;
  private ended = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly conn: Duplex) {
    conn.on('data', (c: Buffer) => {
      this.total += c.length;
      if (this.total > MAX_STREAM_BYTES) {
        this.failure = new WireError('too_large', 'stream exceeds the size limit');
        conn.destroy();
      } else {
        this.chunks = this.chunks.length === 0 ? c : Buffer.concat([this.chunks, c]);
      }
      this.notify();
    });
    conn.on('end', () => { this.ended = true; this.notify(); });
    conn.on('close', () => { this.ended = true; this.notify(); });
    conn.on('error', (e) => { this.failure = new WireError('io', e.message); this.notify(); });
  }

  async readByte(): Promise<number> {
    const b = await this.readBytes(1);
    return b[0]!;
  }

  async peekByte(): Promise<number> {
    while (this.chunks.length < 1) await this.more();
    return this.chunks[0]!;
  }

  async readBytes(n: number): Promise<Uint8Array> {
    if (n > MAX_STREAM_BYTES) throw new WireError('too_large', `stream field of ${n} bytes`);
    while (this.chunks.length < n) await this.more();
    const out = new Uint8Array(this.chunks.subarray(0, n));
    this.chunks = this.chunks.subarray(n);
    return out;
  }

  async readMsgpack(): Promise<MsgpackValue> {
    for (;;) {
      try {
        const d = decodeMsgpack(this.chunks, 0);
        this.chunks = this.chunks.subarray(d.length);
        return d.value;
      } catch (e) {
        if (!(e instanceof IncompleteMsgpack)) throw e;
      }
      await this.more();
    }
  }

  private more(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.ended) return Promise.reject(new WireError('truncated', 'stream closed early'));
    return new Promise((resolve) => { this.wake = resolve; });
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }
}

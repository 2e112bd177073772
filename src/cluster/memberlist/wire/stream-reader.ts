// A bounded pull reader over a Duplex (or a byte buffer already in memory): exact-length reads
// and incremental msgpack values, never more than `maxBytes` in total and never one msgpack value
// larger than `maxValueBytes`. memberlist streams are not length-delimited, so the reader must
// decode values as bytes arrive instead of waiting for EOF. Timeouts belong to the caller (destroy
// the socket, and the pending read rejects with WireError('io')).
import type { Duplex } from 'node:stream';
import { WireError } from './errors.js';
import { decodeMsgpack, IncompleteMsgpack, type MsgpackValue } from './msgpack.js';

export interface StreamReaderLimits {
  /** Total bytes this reader may consume. */
  maxBytes: number;
  /** Largest single msgpack value (default 1 MiB). */
  maxValueBytes?: number;
}

const EMPTY = new Uint8Array(0);

export class StreamReader {
  private buf: Uint8Array = EMPTY;
  private store: Uint8Array | null = null;
  private consumed = 0;
  private ended: boolean;
  private failure: WireError | null = null;
  private wake: (() => void) | null = null;
  private readonly conn: Duplex | null;
  private readonly maxBytes: number;
  private readonly maxValueBytes: number;
  private readonly onData = (chunk: Buffer | string): void => {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    this.append(b);
    this.conn?.pause();
    this.signal();
  };
  private readonly onEnd = (): void => {
    this.ended = true;
    this.signal();
  };
  private readonly onError = (e: Error): void => {
    this.failure = new WireError('io', e.message);
    this.signal();
  };

  constructor(source: Duplex | Uint8Array, limits: StreamReaderLimits) {
    this.maxBytes = limits.maxBytes;
    this.maxValueBytes = limits.maxValueBytes ?? 1024 * 1024;
    if (source instanceof Uint8Array) {
      this.conn = null;
      this.buf = source;
      this.ended = true;
      if (source.length > this.maxBytes) this.failure = new WireError('too_large', `${source.length} bytes exceed ${this.maxBytes}`);
      return;
    }
    this.conn = source;
    // A socket already ended or destroyed emits nothing more; waiting on it would hang.
    this.ended = source.readableEnded || source.destroyed;
    source.pause();
    source.on('data', this.onData);
    source.on('end', this.onEnd);
    source.on('close', this.onEnd);
    source.on('error', this.onError);
  }

  /** Detaches from the socket; unread bytes are dropped. */
  release(): void {
    if (!this.conn) return;
    this.conn.off('data', this.onData);
    this.conn.off('end', this.onEnd);
    this.conn.off('close', this.onEnd);
    this.conn.off('error', this.onError);
  }

  get bytesRead(): number {
    return this.consumed;
  }

  private signal(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  /** Waits for at least one more chunk (or end/error). */
  private async more(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.ended) throw new WireError('truncated', 'stream ended early');
    if (this.consumed + this.buf.length >= this.maxBytes) {
      throw new WireError('too_large', `stream exceeds ${this.maxBytes} bytes`);
    }
    await new Promise<void>((resolve) => {
      this.wake = resolve;
      this.conn?.resume();
    });
    if (this.failure) throw this.failure;
  }

  /** Amortised O(1) append: grow by doubling and compact, so a long stream is not copied per chunk. */
  private append(b: Uint8Array): void {
    const free = this.buf.byteOffset + this.buf.length;
    const store = this.store;
    if (store && this.buf.buffer === store.buffer && free + b.length <= store.length) {
      store.set(b, free);
      this.buf = store.subarray(this.buf.byteOffset, free + b.length);
      return;
    }
    const size = Math.max(64 * 1024, (this.buf.length + b.length) * 2);
    const next = new Uint8Array(size);
    next.set(this.buf);
    next.set(b, this.buf.length);
    this.store = next;
    this.buf = next.subarray(0, this.buf.length + b.length);
  }

  private take(n: number): Uint8Array {
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    this.consumed += n;
    return out;
  }

  async exact(n: number): Promise<Uint8Array> {
    if (this.consumed + n > this.maxBytes) throw new WireError('too_large', `read of ${n} bytes exceeds ${this.maxBytes}`);
    while (this.buf.length < n) await this.more();
    return Uint8Array.from(this.take(n));
  }

  async peek(): Promise<number> {
    while (this.buf.length < 1) await this.more();
    return this.buf[0] as number;
  }

  async byte(): Promise<number> {
    const b = await this.peek();
    this.take(1);
    return b;
  }

  async msgpack(): Promise<MsgpackValue> {
    for (;;) {
      try {
        const { value, length } = decodeMsgpack(this.buf);
        this.take(length);
        return value;
      } catch (e) {
        if (!(e instanceof IncompleteMsgpack)) throw e;
        if (this.buf.length > this.maxValueBytes) throw new WireError('too_large', `msgpack value exceeds ${this.maxValueBytes} bytes`);
        await this.more();
      }
    }
  }

  /** Everything left in memory (for a buffer source: the rest of it). */
  rest(): Uint8Array {
    return this.take(this.buf.length);
  }
}

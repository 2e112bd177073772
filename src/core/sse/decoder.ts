// Incremental decoder for upstream `text/event-stream` bodies (WHATWG SSE parsing rules): bytes go
// in as the network delivers them, complete events come out. An event may be split across chunks
// and a chunk may carry several events; lines end in LF, CRLF or CR (a CR at the end of one chunk
// followed by LF at the start of the next is one line break). Comment lines (`:`) are dropped.
// Provider adapters map the decoded events; nothing here knows any provider's dialect.

import { StringDecoder } from 'node:string_decoder';

export interface SseMessage {
  /** The `event:` field, when present. */
  event: string | undefined;
  /** `data:` lines joined with `\n`. */
  data: string;
  id: string | undefined;
}

export class SseDecoder {
  // Node's StringDecoder decodes with V8's UTF-8 reader and keeps a split character for the next
  // chunk; TextDecoder's streaming mode goes through ICU's converter, which costs more per chunk.
  private readonly text = new StringDecoder('utf8');
  private buffer = '';
  private data: string[] = [];
  private event: string | undefined;
  private id: string | undefined;
  /** The previous chunk ended in CR: a leading LF in the next chunk belongs to that line break. */
  private pendingCr = false;
  private first = true;

  /** Feeds one network chunk; returns the events it completed (often zero or one). */
  push(chunk: Uint8Array | string): SseMessage[] {
    let input = typeof chunk === 'string' ? chunk : this.text.write(chunk);
    if (this.first && input.length > 0) {
      this.first = false;
      if (input.charCodeAt(0) === 0xfeff) input = input.slice(1);
    }
    if (this.pendingCr && input.charCodeAt(0) === 10) input = input.slice(1);
    this.pendingCr = false;
    const out: SseMessage[] = [];
    const text = this.buffer.length > 0 ? this.buffer + input : input;
    let start = 0;
    if (text.indexOf('\r') === -1) {
      // Fast path for the usual LF-only streams: jump between line breaks with indexOf.
      let nl = text.indexOf('\n');
      while (nl !== -1) {
        this.line(text.slice(start, nl), out);
        start = nl + 1;
        nl = text.indexOf('\n', start);
      }
    } else {
      const n = text.length;
      for (let i = 0; i < n; i++) {
        const c = text.charCodeAt(i);
        if (c !== 10 && c !== 13) continue;
        this.line(text.slice(start, i), out);
        if (c === 13) {
          if (i + 1 < n) {
            if (text.charCodeAt(i + 1) === 10) i++;
          } else {
            this.pendingCr = true;
          }
        }
        start = i + 1;
      }
    }
    this.buffer = start < text.length ? text.slice(start) : '';
    return out;
  }

  /** Flushes at end of stream: an unterminated last event is still delivered. */
  end(): SseMessage[] {
    const out: SseMessage[] = [];
    const rest = this.text.end();
    const tail = this.buffer + rest;
    this.buffer = '';
    if (tail.length > 0) this.line(tail, out);
    this.line('', out);
    return out;
  }

  private line(line: string, out: SseMessage[]): void {
    if (line.length === 0) {
      if (this.data.length > 0) {
        out.push({ event: this.event, data: this.data.length === 1 ? this.data[0]! : this.data.join('\n'), id: this.id });
      }
      this.data = [];
      this.event = undefined;
      return;
    }
    if (line.charCodeAt(0) === 58) return; // ':' comment / heartbeat
    if (line.startsWith('data: ')) { this.data.push(line.slice(6)); return; }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    switch (field) {
      case 'data': this.data.push(value); break;
      case 'event': this.event = value; break;
      case 'id': if (!value.includes('\0')) this.id = value; break;
      default: break; // `retry:` and unknown fields do not matter upstream-side
    }
  }
}

// A raw HTTP/1.1 client on a TCP socket, for requests no well-behaved client library would send:
// undecoded or malformed targets, bad chunking, stray Upgrade headers, bodies that stall. It
// writes the bytes given, reads one response (content-length, chunked, or until close) and
// reports whether the server closed the connection. Bounded: after `timeoutMs` it gives up and
// says so, destroying the socket.
import { connect } from 'node:net';

export interface RawResponse {
  /** 0 when no status line arrived. */
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The server closed the connection after (or instead of) answering. */
  closedByServer: boolean;
  timedOut: boolean;
}

export interface RawOptions {
  timeoutMs?: number;
  host?: string;
}

function parse(buffer: Buffer): { status: number; headers: Record<string, string>; body: string; complete: boolean } | undefined {
  const end = buffer.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine, ...lines] = buffer.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const rest = buffer.subarray(end + 4);
  if (status === 101) return { status, headers, body: '', complete: true };
  const length = headers['content-length'];
  if (length !== undefined) {
    return { status, headers, body: rest.subarray(0, Number(length)).toString('utf8'), complete: rest.length >= Number(length) };
  }
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
    let body = '';
    let at = 0;
    for (;;) {
      const lineEnd = rest.indexOf('\r\n', at);
      if (lineEnd < 0) return { status, headers, body, complete: false };
      const size = parseInt(rest.subarray(at, lineEnd).toString('latin1'), 16);
      if (size === 0) return { status, headers, body, complete: true };
      if (rest.length < lineEnd + 2 + size + 2) return { status, headers, body, complete: false };
      body += rest.subarray(lineEnd + 2, lineEnd + 2 + size).toString('utf8');
      at = lineEnd + 2 + size + 2;
    }
  }
  return { status, headers, body: rest.toString('utf8'), complete: false };
}

/** Sends `request` (bytes or parts written one after another) and reads one response. */
export function rawRequest(port: number, request: string | Buffer | Array<string | Buffer>, options: RawOptions = {}): Promise<RawResponse> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  return new Promise((resolve) => {
    const socket = connect({ port, host: options.host ?? '127.0.0.1' });
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (closedByServer: boolean, timedOut: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const parsed = parse(Buffer.concat(chunks));
      resolve({ status: parsed?.status ?? 0, headers: parsed?.headers ?? {}, body: parsed?.body ?? '', closedByServer, timedOut });
    };
    const timer = setTimeout(() => finish(false, true), timeoutMs);
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      const parsed = parse(Buffer.concat(chunks));
      // A complete answer that says it closes: wait for the close itself, so closedByServer is known.
      if (parsed?.complete && !/close/i.test(parsed.headers.connection ?? '')) finish(false, false);
    });
    socket.on('end', () => finish(true, false));
    socket.on('close', () => finish(true, false));
    socket.on('error', () => finish(true, false));
    const parts = Array.isArray(request) ? request : [request];
    for (const part of parts) socket.write(part);
  });
}

/** A request head plus body with a correct content-length. */
export function httpRequest(method: string, target: string, body = '', headers: Record<string, string> = {}): string {
  const lines = [`${method} ${target} HTTP/1.1`, 'host: 127.0.0.1'];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  if (body !== '' || method === 'POST' || method === 'PUT') lines.push(`content-length: ${Buffer.byteLength(body)}`);
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

// The server's one `upgrade` listener. Node hands every request that carries an `Upgrade:` header
// to `upgrade` listeners once any exists, and a request nobody takes is never answered: its socket
// stays open for good. So the door takes them all: the target is normalized as for any request,
// a path with an upgrade route (GET /ws) passes the same access guards as the router's routes and
// goes to its handler; any other request is replayed on the socket without its Upgrade header and
// served as the plain HTTP request it also is (what Node does when no upgrade listener exists —
// `curl --http2` on http:// sends `Upgrade: h2c` and must still get its answer).
import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { httpError, toGatewayError } from '../bifrost-error.js';
import { errorReply } from '../error-reply.js';
import { isTargetProblem, normalizeTarget } from './request-target.js';

export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
/** Throws a GatewayError (401...) when the request may not reach `path`. */
export type AccessGuard = (path: string, req: IncomingMessage) => Promise<void> | void;

export interface UpgradeDoorOptions {
  routes: ReadonlyMap<string, UpgradeHandler>;
  guards: readonly AccessGuard[];
  onError: (error: unknown) => void;
}

/** Headers that only make sense for the upgrade a replayed request no longer asks for. */
const UPGRADE_ONLY = new Set(['upgrade', 'http2-settings']);

export function attachUpgradeDoor(server: Server, options: UpgradeDoorOptions): void {
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // A client that resets mid-handshake must cost its socket only.
    socket.on('error', () => socket.destroy());
    const rawUrl = req.url ?? '';
    const target = normalizeTarget(rawUrl);
    if (isTargetProblem(target)) {
      refuse(socket, httpError(400, 'invalid_request_error', target.problem));
      return;
    }
    const handler = options.routes.get(target.path);
    if (handler === undefined) {
      replayAsPlainRequest(server, req, rawUrl, socket, head);
      return;
    }
    req.url = target.url;
    void (async () => {
      for (const guard of options.guards) await guard(target.path, req);
      handler(req, socket, head);
    })().catch((error: unknown) => {
      if (toGatewayError(error).status >= 500) options.onError(error);
      refuse(socket, error);
    });
  });
}

/** Answers an upgrade request with Bifrost's error JSON (and the headers an error carries) and closes the socket. */
export function refuse(socket: Duplex, error: unknown): void {
  const { status, identity, body } = errorReply(error, {});
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\ncontent-type: application/json\r\n`;
  for (const name in identity) head += `${name}: ${identity[name]}\r\n`;
  socket.end(`${head}content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}

/** Puts the request back on the socket without its upgrade headers and lets the server parse it anew. */
function replayAsPlainRequest(server: Server, req: IncomingMessage, rawUrl: string, socket: Duplex, head: Buffer): void {
  let text = `${req.method} ${rawUrl} HTTP/${req.httpVersion}\r\n`;
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    let value = raw[i + 1]!;
    if (UPGRADE_ONLY.has(name)) continue;
    if (name === 'connection') {
      value = value.split(',').map((token) => token.trim()).filter((token) => !UPGRADE_ONLY.has(token.toLowerCase())).join(', ');
      if (value === '') continue;
    }
    text += `${raw[i]}: ${value}\r\n`;
  }
  socket.unshift(Buffer.concat([Buffer.from(`${text}\r\n`, 'latin1'), head]));
  server.emit('connection', socket);
}

// Live logs on `GET /ws`: a WebSocket endpoint (the `ws` library on Fastify's own server) that
// pushes `{"type":"log","operation":"create"|"update","payload":<log>}` as each request starts and
// finishes, the way Bifrost's UI expects. Browser origins are checked against
// `client.allowed_origins` (localhost always allowed); clients are pinged every 30 s and dropped
// after 60 s of silence. A client that cannot keep up loses messages rather than growing memory.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ConfigSource, Logger } from '../../../core/index.js';
import { silentLogger } from '../../../core/index.js';
import { toApiLog, type LiveLogEvent } from '../../../plugins/logging/index.js';
import { isOriginAllowed } from '../cors.js';
import { addUpgradeRoute } from '../server.js';

export const WS_PATH = '/ws';
const PING_MS = 30_000;
/** Per-client send buffer beyond which messages are skipped for that client. */
const MAX_BUFFERED = 4 * 1024 * 1024;

export interface LiveLogSource {
  subscribe(listener: (event: LiveLogEvent) => void): () => void;
}

export interface LiveLogsOptions {
  source: LiveLogSource;
  config: ConfigSource;
  logger?: Logger;
}

export function registerLiveLogs(app: FastifyInstance, options: LiveLogsOptions): void {
  const logger = options.logger ?? silentLogger;
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const alive = new WeakMap<WebSocket, boolean>();

  // The door calls this for GET /ws upgrades (normalized path) once the access guards passed.
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const origin = request.headers.origin;
    // Non-browser clients send no Origin; browsers always do, and must be allowed.
    if (origin !== undefined && !isOriginAllowed(origin, options.config.current().client.allowed_origins)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\norigin not allowed\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      alive.set(ws, true);
      ws.on('pong', () => alive.set(ws, true));
      ws.on('error', (error) => logger.debug({ err: error.message }, 'live logs client error'));
      ws.on('close', () => {
        if (wss.clients.size === 0) stopListening();
      });
      listen();
      wss.emit('connection', ws, request);
    });
  };
  addUpgradeRoute(app, WS_PATH, onUpgrade);

  // Subscribed only while a client is connected: with a listener, the logging plugin builds every
  // row as it happens instead of when its batch is written.
  let unsubscribe: (() => void) | undefined;
  function listen(): void {
    unsubscribe ??= options.source.subscribe((event) => {
      const message = JSON.stringify({ type: 'log', operation: event.operation, payload: toApiLog(event.entry) });
      for (const client of wss.clients) {
        if (client.readyState === client.OPEN && client.bufferedAmount < MAX_BUFFERED) client.send(message);
      }
    });
  }
  function stopListening(): void {
    unsubscribe?.();
    unsubscribe = undefined;
  }

  const pinger = setInterval(() => {
    for (const client of wss.clients) {
      if (alive.get(client) === false) {
        client.terminate();
        continue;
      }
      alive.set(client, false);
      client.ping();
    }
  }, PING_MS);
  pinger.unref();

  // A plain GET (no upgrade) gets a clear answer instead of a 404.
  app.get(WS_PATH, async (_request, reply) => reply.code(426).header('upgrade', 'websocket')
    .send({ is_bifrost_error: true, status_code: 426, error: { type: 'upgrade_required', message: 'GET /ws is a WebSocket endpoint' } }));

  app.addHook('onClose', async () => {
    clearInterval(pinger);
    stopListening();
    for (const client of wss.clients) client.close(1001, 'server shutting down');
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  });
}

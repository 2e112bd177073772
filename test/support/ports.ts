// A free port on 127.0.0.1 for a server a test is about to start: the kernel picks one for a
// throwaway listener, which is closed again. `udp: true` also checks the same UDP port is free,
// for gossip, which listens on both.
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

async function freeTcpPort(): Promise<number> {
  const server = createServer();
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function freePort(options: { udp?: boolean } = {}): Promise<number> {
  if (!options.udp) return freeTcpPort();
  for (let i = 0; i < 20; i++) {
    const port = await freeTcpPort();
    const udp = createSocket('udp4');
    const ok = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind(port, '127.0.0.1', () => resolve(true));
    });
    udp.close();
    if (ok) return port;
  }
  throw new Error('no free TCP+UDP port pair found');
}

import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy a test controls, to take a server away from an app without touching the shared server:
 * `cut()` drops every open connection and refuses new ones (accepted, then closed at once); `restore()`
 * lets connections through again.
 */
export interface TcpProxy {
  port: number;
  /** the same URL, through the proxy */
  via(url: string): string;
  cut(): void;
  restore(): void;
  /** connections refused while cut (someone tried to reach the server) */
  refused(): number;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  let up = true;
  let refused = 0;
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };
  const server: Server = createServer((client) => {
    track(client);
    if (!up) {
      refused += 1;
      return client.destroy();
    }
    const upstream = connect(targetPort, targetHost);
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    via(url) {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    cut() {
      up = false;
      for (const s of sockets) s.destroy();
    },
    restore() {
      up = true;
    },
    refused: () => refused,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

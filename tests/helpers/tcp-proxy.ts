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

/** resetOn: a client whose bytes contain it is reset (RST) at that point, and the upstream closed, as a network fault */
export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1', opts: { resetOn?: string } = {}): Promise<TcpProxy> {
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
    upstream.pipe(client);
    if (opts.resetOn === undefined) client.pipe(upstream);
    else {
      const marker = opts.resetOn;
      client.on('data', (d: Buffer) => {
        if (!d.includes(marker)) return void upstream.write(d);
        client.resetAndDestroy();
        upstream.destroy();
      });
    }
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

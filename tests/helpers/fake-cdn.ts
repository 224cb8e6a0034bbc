import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A fake Facebook CDN over https on 127.0.0.1 with a self-signed certificate made at test time (openssl
 * CLI). The app trusts it only through buildApp's explicit `mediaExtraCa` option. Files can be added,
 * removed ("the attachment URL expired") and every request is counted per path.
 */
export interface FakeCdn {
  /** https://127.0.0.1:<port> */
  origin: string;
  /** PEM of the self-signed certificate (pass as mediaExtraCa) */
  ca: string;
  put(pathname: string, body: Buffer, headers?: Record<string, string>): string;
  redirect(pathname: string, location: string): string;
  remove(pathname: string): void;
  hits(pathname: string): number;
  close(): Promise<void>;
}

/** A valid 1×1 PNG and a tiny JPEG header: real magic bytes, as a phone would send. */
export const PNG_1PX = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');
export const JPEG_BYTES = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('JFIF test image bytes')]);

export async function startFakeCdn(): Promise<FakeCdn> {
  const dir = mkdtempSync(path.join(tmpdir(), 'fake-cdn-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
  ], { stdio: 'ignore' });
  const key = readFileSync(path.join(dir, 'key.pem'));
  const cert = readFileSync(path.join(dir, 'cert.pem'), 'utf8');
  rmSync(dir, { recursive: true, force: true });

  const files = new Map<string, { body: Buffer; headers: Record<string, string> } | { location: string }>();
  const counts = new Map<string, number>();
  const server: Server = createServer({ key, cert }, (req, res) => {
    const p = (req.url ?? '/').split('?')[0]!;
    counts.set(p, (counts.get(p) ?? 0) + 1);
    const f = files.get(p);
    if (!f) return res.writeHead(404).end('not found');
    if ('location' in f) return res.writeHead(302, { location: f.location }).end();
    const chunked = f.headers['transfer-encoding'] === 'chunked';
    res.writeHead(200, { 'content-type': 'image/jpeg', ...(chunked ? {} : { 'content-length': String(f.body.length) }), ...f.headers });
    if (!chunked) return res.end(f.body);
    // in small pieces, without a length: the reader must count while streaming
    for (let i = 0; i < f.body.length; i += 512) res.write(f.body.subarray(i, i + 512));
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    ca: cert,
    put(pathname, body, headers = {}) {
      files.set(pathname, { body, headers });
      return `${origin}${pathname}`;
    },
    redirect(pathname, location) {
      files.set(pathname, { location });
      return `${origin}${pathname}`;
    },
    remove: (pathname) => void files.delete(pathname),
    hits: (pathname) => counts.get(pathname) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

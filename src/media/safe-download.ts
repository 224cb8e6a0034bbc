import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { rootCertificates } from 'node:tls';
import { formatBytes } from './sniff.js';

/**
 * Fetch an image from a URL someone else gave us (a Messenger attachment) without becoming a proxy
 * into our network: https only, the hostname (any port) must equal or be a dot-suffix of an allowed
 * entry (an IP literal or `localhost` entry matches only itself), every redirect is checked the same
 * way, connect and read time out, and the size limit is enforced while the body streams in.
 */
export interface DownloadPolicy {
  allowedHosts: string[];
  maxBytes: number;
  connectTimeoutMs: number;
  readTimeoutMs: number;
  maxRedirects?: number;
  /** an extra trusted CA (PEM), for a test's fake CDN only; production uses Node's default store */
  extraCa?: string;
  /** origins allowed over plain http: the simulator's own uploads, nothing else */
  httpOrigins?: string[];
}

export type DownloadFailureCode = 'BAD_URL' | 'HOST_NOT_ALLOWED' | 'TOO_LARGE' | 'HTTP_STATUS' | 'TOO_MANY_REDIRECTS' | 'TIMEOUT' | 'NETWORK';
export type DownloadResult =
  | { ok: true; bytes: Buffer }
  /** permanent: trying again cannot help (refused, too large, gone); else worth a retry */
  | { ok: false; code: DownloadFailureCode; permanent: boolean; message: string };

const bare = (host: string) => host.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');

export function hostAllowed(url: URL, policy: Pick<DownloadPolicy, 'allowedHosts' | 'httpOrigins'>): boolean {
  if (url.username || url.password) return false;
  if (url.protocol === 'http:') return (policy.httpOrigins ?? []).includes(url.origin);
  if (url.protocol !== 'https:') return false;
  const host = bare(url.hostname);
  return policy.allowedHosts.some((raw) => {
    const entry = bare(raw.trim());
    if (!entry) return false;
    if (host === entry) return true;
    return isIP(entry) === 0 && entry !== 'localhost' && host.endsWith(`.${entry}`);
  });
}

const fail = (code: DownloadFailureCode, permanent: boolean, message: string): DownloadResult => ({ ok: false, code, permanent, message });

export async function safeDownload(raw: string, policy: DownloadPolicy): Promise<DownloadResult> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return fail('BAD_URL', true, 'the link is not a URL');
  }
  for (let hop = 0; hop <= (policy.maxRedirects ?? 3); hop++) {
    if (!hostAllowed(url, policy)) return fail('HOST_NOT_ALLOWED', true, `images are only fetched from Messenger's own servers (not ${url.hostname})`);
    const r = await getOnce(url, policy);
    if (!('redirect' in r)) return r;
    try {
      url = new URL(r.redirect, url);
    } catch {
      return fail('BAD_URL', true, 'the server redirected to something that is not a URL');
    }
  }
  return fail('TOO_MANY_REDIRECTS', true, 'the link redirects too many times');
}

function getOnce(url: URL, policy: DownloadPolicy): Promise<DownloadResult | { redirect: string }> {
  return new Promise((resolve) => {
    const host = bare(url.hostname);
    const options: https.RequestOptions = {
      method: 'GET',
      headers: { accept: 'image/*' },
      agent: false,
      ...(url.protocol === 'https:' && policy.extraCa ? { ca: [...rootCertificates, policy.extraCa] } : {}),
      ...(isIP(host) ? {} : { servername: host }),
    };
    const lib = url.protocol === 'https:' ? https : http;
    let settled = false;
    const done = (r: DownloadResult | { redirect: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(connectTimer);
      req.destroy();
      resolve(r);
    };
    const req = lib.request(url, options, (res) => {
      const status = res.statusCode ?? 0;
      if ([301, 302, 303, 307, 308].includes(status) && res.headers.location) return done({ redirect: res.headers.location });
      if (status < 200 || status >= 300) {
        const permanent = status >= 400 && status < 500 && status !== 408 && status !== 429;
        return done(fail('HTTP_STATUS', permanent, `the image server answered HTTP ${status}`));
      }
      const declared = Number(res.headers['content-length'] ?? NaN);
      if (declared > policy.maxBytes) return done(fail('TOO_LARGE', true, `the file is ${formatBytes(declared)}, more than the ${formatBytes(policy.maxBytes)} allowed`));
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > policy.maxBytes) return done(fail('TOO_LARGE', true, `the file is more than the ${formatBytes(policy.maxBytes)} allowed`));
        chunks.push(c);
      });
      res.on('end', () => done({ ok: true, bytes: Buffer.concat(chunks) }));
      res.on('error', (err) => done(fail('NETWORK', false, `download interrupted: ${err.message}`)));
    });
    // connect (TCP + TLS) within connectTimeoutMs; then no gap longer than readTimeoutMs while reading
    const connectTimer = setTimeout(() => done(fail('TIMEOUT', false, `could not connect within ${policy.connectTimeoutMs} ms`)), policy.connectTimeoutMs);
    req.on('socket', (socket) => {
      socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => clearTimeout(connectTimer));
    });
    req.setTimeout(policy.readTimeoutMs, () => done(fail('TIMEOUT', false, `no data for ${policy.readTimeoutMs} ms`)));
    req.on('error', (err: NodeJS.ErrnoException) => done(fail('NETWORK', false, `could not fetch the image (${err.code ?? err.message})`)));
    req.end();
  });
}

import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Checks Messenger's `X-Hub-Signature-256: sha256=<hex>` against the HMAC-SHA256 of the raw body.
 * Constant time: the comparison never short-circuits on the first differing byte.
 */
const HEADER = /^sha256=([0-9a-fA-F]{64})$/;

export function verifySignature(rawBody: Buffer, header: string | undefined, appSecret: string): boolean {
  // Exactly the scheme and 64 hex digits: Buffer.from(hex) stops at the first non-hex character and
  // would otherwise let anything trail a valid digest.
  const m = HEADER.exec(header ?? '');
  if (!m) return false;
  const given = Buffer.from(m[1]!, 'hex');
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  return timingSafeEqual(given, expected);
}

/** The header value Messenger would send for this body (tests, the simulator and the benchmark sign with it). */
export function signBody(rawBody: string | Buffer, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}

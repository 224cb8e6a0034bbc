import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Checks Messenger's `X-Hub-Signature-256: sha256=<hex>` against the HMAC-SHA256 of the raw body.
 * Constant time: the comparison never short-circuits on the first differing byte.
 */
export function verifySignature(rawBody: Buffer, header: string | undefined, appSecret: string): boolean {
  if (!header || !header.startsWith('sha256=')) return false;
  const given = Buffer.from(header.slice('sha256='.length), 'hex');
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  // A malformed header decodes to a shorter buffer; timingSafeEqual needs equal lengths.
  if (given.length !== expected.length) return false;
  return timingSafeEqual(given, expected);
}

/** The header value Messenger would send for this body (tests, the simulator and the benchmark sign with it). */
export function signBody(rawBody: string | Buffer, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}

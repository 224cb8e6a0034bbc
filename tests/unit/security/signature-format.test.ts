import { describe, expect, it } from 'vitest';
import { signBody, verifySignature } from '../../../src/bot/signature.js';

describe('the webhook signature header (finding 9)', () => {
  const body = Buffer.from('{"object":"page","entry":[]}');
  const good = signBody(body, 's3cret');

  it('accepts exactly sha256= and 64 hex digits of the right HMAC', () => {
    expect(good).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifySignature(body, good, 's3cret')).toBe(true);
    // hex digits are case-insensitive, as Node's own decoder reads them
    expect(verifySignature(body, `sha256=${good.slice(7).toUpperCase()}`, 's3cret')).toBe(true);
  });

  it.each([
    ['trailing hex digits', `${good}00`],
    ['a trailing odd hex digit', `${good}a`],
    ['trailing garbage', `${good}zz`],
    ['a trailing space', `${good} `],
    ['a trailing newline', `${good}\n`],
    ['a second value', `${good},sha256=${'0'.repeat(64)}`],
    ['a leading space', ` ${good}`],
    ['an upper-case scheme', `SHA256=${good.slice(7)}`],
    ['63 digits', good.slice(0, -1)],
  ])('refuses the right digest with %s', (_what, header) => {
    expect(verifySignature(body, header, 's3cret')).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { basicPassword } from '../../../src/jobs/dashboard.js';

const basic = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;

describe('dashboard basic auth header', () => {
  it('takes the password whatever the user name', () => {
    expect(basicPassword(basic('anyone:qs_secret'))).toBe('qs_secret');
    expect(basicPassword(basic(':qs_secret:with:colons'))).toBe('qs_secret:with:colons');
  });

  it('refuses a missing header, another scheme or an empty password', () => {
    expect(basicPassword(undefined)).toBeNull();
    expect(basicPassword('Bearer qs_secret')).toBeNull();
    expect(basicPassword(basic('admin:'))).toBeNull();
    expect(basicPassword(basic('no-colon'))).toBeNull();
  });
});

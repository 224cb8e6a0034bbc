import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { startTestApi, type TestApi } from '../http/http-test-app.js';

/**
 * Finding 8 of the security audit: the dashboard's basic auth had no limit, ADMIN_API_KEY no minimum
 * length, TRUST_PROXY=true let a rotating X-Forwarded-For pick a fresh rate-limit bucket per request,
 * and every limiter failed open with Redis down. Fail modes now: /api limits open (orders keep flowing;
 * see SECURITY.md), failed dashboard logins closed.
 */
const basic = (password: string) => `Basic ${Buffer.from(`ops:${password}`).toString('base64')}`;

describe('failed dashboard logins', () => {
  let api: TestApi;
  let key: string;
  beforeAll(async () => {
    api = await startTestApi({ API_RATE_LIMIT: '0' }); // the login limit does not depend on API_RATE_LIMIT
    key = (await api.app.admins.create('Dashboard operator')).key;
  });
  afterAll(async () => api?.close());

  const login = (remoteAddress: string, authorization?: string) =>
    api.app.http!.inject({ method: 'GET', url: '/admin/queues', remoteAddress, headers: authorization ? { authorization } : {} });

  it('are refused with 429 after 10 wrong keys from one client, even with the right key, and not for another client', async () => {
    for (let i = 0; i < 10; i++) expect((await login('198.51.100.10', basic(`qs_wrong-${i}`))).statusCode).toBe(401);
    const blocked = await login('198.51.100.10', basic(`qs_wrong-again`));
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(800);
    expect((await login('198.51.100.10', basic(key))).statusCode).toBe(429);
    expect((await login('198.51.100.11', basic(key))).statusCode).toBe(200);
  });

  it('do not count requests without credentials (a browser asks for them first)', async () => {
    for (let i = 0; i < 15; i++) expect((await login('198.51.100.20')).statusCode).toBe(401);
    expect((await login('198.51.100.20', basic(key))).statusCode).toBe(200);
  });
});

describe('failed dashboard logins with Redis down', () => {
  let api: TestApi;
  let key: string;
  beforeAll(async () => {
    api = await startTestApi({ REDIS_URL: 'redis://127.0.0.1:1' });
    key = (await api.app.admins.create('Dashboard operator')).key;
  });
  afterAll(async () => api?.close());

  it('fail closed: no login is checked while failures cannot be counted', async () => {
    for (const auth of [basic('qs_wrong'), basic(key)]) {
      const res = await api.app.http!.inject({ method: 'GET', url: '/admin/queues', headers: { authorization: auth } });
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBeDefined();
    }
  });
});

describe('keys and proxies at start-up', () => {
  it('refuses an ADMIN_API_KEY shorter than 32 characters, naming it', () => {
    expect(() => loadConfig({ ADMIN_API_KEY: 'short-root-key' })).toThrow(/ADMIN_API_KEY: must be at least 32 characters/);
    expect(loadConfig({ ADMIN_API_KEY: 'k'.repeat(32) }).ADMIN_API_KEY).toBe('k'.repeat(32));
  });

  it('takes TRUST_PROXY as a hop count or a list of proxy addresses, never true', () => {
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY: must be a hop count/);
    expect(() => loadConfig({ TRUST_PROXY: 'proxy.local' })).toThrow(/TRUST_PROXY/);
    expect(loadConfig({ TRUST_PROXY: '1' }).TRUST_PROXY).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.5' }).TRUST_PROXY).toEqual(['10.0.0.0/8', '192.168.1.5']);
    expect(loadConfig({ TRUST_PROXY: 'false' }).TRUST_PROXY).toBe(false);
  });
});

describe('the per-IP limit behind one proxy (TRUST_PROXY=1)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ API_RATE_LIMIT: '5', TRUST_PROXY: '1' });
  });
  afterAll(async () => api?.close());

  it('counts the address the proxy saw, whatever the client puts in front of it in X-Forwarded-For', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await api.request({
        url: '/api/products',
        key: null,
        remoteAddress: '10.0.0.2',
        headers: { 'x-forwarded-for': `203.0.113.${i + 1}, 198.51.100.77` },
      });
      statuses.push(res.statusCode);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
  });
});

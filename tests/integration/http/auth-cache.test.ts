import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyRequest } from 'fastify';
import { bearerAuth } from '../../../src/http/auth.js';
import { startTestApi, type TestApi } from './http-test-app.js';

/** API_KEY_CACHE_MS: a verified key is trusted for that long per process; a revoke takes effect within it. */
describe('verified API keys kept in process (API_KEY_CACHE_MS)', () => {
  let api: TestApi;
  let uncached: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ API_KEY_CACHE_MS: '1500' });
    uncached = await startTestApi({ API_KEY_CACHE_MS: '0' });
  });
  afterAll(async () => {
    await api.close();
    await uncached.close();
  });
  const status = async (t: TestApi, key: string) => (await t.request({ url: '/api/reports/summary', key })).statusCode;

  it('refuses a revoked key within API_KEY_CACHE_MS in a process that had just accepted it', async () => {
    const { id, key } = await api.app.admins.create(`cache-revoke-${Date.now()}`);
    expect(await status(api, key)).toBe(200);
    const revokedAt = performance.now();
    await api.app.admins.revoke(id);
    // the documented delay: still trusted from the cache right after the revoke
    expect(await status(api, key)).toBe(200);
    await new Promise((r) => setTimeout(r, Math.max(0, 1600 - (performance.now() - revokedAt))));
    expect(await status(api, key)).toBe(401);
  });

  it('refuses a revoked key at once with API_KEY_CACHE_MS=0', async () => {
    const { id, key } = await uncached.app.admins.create(`nocache-revoke-${Date.now()}`);
    expect(await status(uncached, key)).toBe(200);
    await uncached.app.admins.revoke(id);
    expect(await status(uncached, key)).toBe(401);
  });

  it('looks a verified key up once per period, and every failure up every time', async () => {
    const { key } = await api.app.admins.create(`cache-count-${Date.now()}`);
    let lookups = 0;
    const counted = { verifyKey: (k: string) => ((lookups += 1), api.app.admins.verifyKey(k)) };
    const auth = bearerAuth(counted, { cacheMs: 60_000 });
    const call = (authorization: string) => auth({ headers: { authorization } } as FastifyRequest);
    for (let i = 0; i < 3; i++) await call(`Bearer ${key}`);
    expect(lookups).toBe(1);
    for (let i = 0; i < 3; i++) await expect(call(`Bearer ${key.slice(0, -1)}x`)).rejects.toMatchObject({ statusCode: 401 });
    for (let i = 0; i < 2; i++) await expect(call('')).rejects.toMatchObject({ statusCode: 401 });
    expect(lookups).toBe(6);
  });
});

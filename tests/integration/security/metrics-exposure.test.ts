import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { startTestApi, type TestApi } from '../http/http-test-app.js';

/**
 * Finding 7 of the security audit: /metrics (order counts, failure codes, queue depths) and /readyz's
 * details were public. Metrics are now served by the operators' listener (METRICS_HOST:METRICS_PORT,
 * loopback by default, optionally behind METRICS_TOKEN); /readyz says only its status and what fails.
 */
describe('the public server', () => {
  let api: TestApi;
  let down: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
    down = await startTestApi({ REDIS_URL: 'redis://127.0.0.1:1' });
  });
  afterAll(async () => {
    await api?.close();
    await down?.close();
  });

  it('has no /metrics', async () => {
    const res = await api.request({ url: '/metrics', key: null });
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain('quicksell_');
  });

  it('answers /readyz with its status and the failing dependency only', async () => {
    expect((await api.request({ url: '/readyz', key: null })).json()).toEqual({ status: 'ok' });
    const res = await down.request({ url: '/readyz', key: null });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: 'unavailable', failing: ['redis'] });
  });
});

describe("the operators' listener", () => {
  it('listens on loopback by default, and refuses another address without a token, naming both', () => {
    const c = loadConfig({});
    expect([c.METRICS_HOST, c.METRICS_PORT]).toEqual(['127.0.0.1', 9464]);
    expect(() => loadConfig({ METRICS_HOST: '0.0.0.0' })).toThrow(/METRICS_HOST: .*METRICS_TOKEN/);
    expect(loadConfig({ METRICS_HOST: '0.0.0.0', METRICS_TOKEN: 'x'.repeat(32) }).METRICS_HOST).toBe('0.0.0.0');
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN: must be at least 32/);
  });

  it('serves /metrics on its own port, apart from the public one', async () => {
    const api = await startTestApi();
    try {
      await api.app.internalHttp.listen({ port: 0, host: api.app.config.METRICS_HOST });
      const { port, address } = api.app.internalHttp.server.address() as AddressInfo;
      expect(address).toBe('127.0.0.1');
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('# TYPE quicksell_orders_created_total counter');
      expect((await fetch(`http://127.0.0.1:${port}/api/orders`)).status).toBe(404);
    } finally {
      await api.close();
    }
  });

  it('asks for the bearer token when METRICS_TOKEN is set', async () => {
    const token = `metrics-${randomUUID()}`;
    const api = await startTestApi({ METRICS_TOKEN: token });
    try {
      const scrape = (authorization?: string) => api.app.internalHttp.inject({ url: '/metrics', headers: authorization ? { authorization } : {} });
      expect((await scrape()).statusCode).toBe(401);
      expect((await scrape(`Bearer ${token}x`)).statusCode).toBe(401);
      expect((await scrape(`Basic ${token}`)).statusCode).toBe(401);
      const ok = await scrape(`Bearer ${token}`);
      expect(ok.statusCode).toBe(200);
      expect(ok.body).toContain('quicksell_queue_depth');
    } finally {
      await api.close();
    }
  });
});

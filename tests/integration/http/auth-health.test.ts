import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RowDataPacket } from 'mysql2';
import { makeProduct, makeUser, seedOrderPayload } from '../../helpers/factories.js';
import { startTestApi, type TestApi } from './http-test-app.js';
import type { PoolConnection } from 'mysql2/promise';
import { startTcpProxy, type TcpProxy } from '../../helpers/tcp-proxy.js';
import { testConfig } from '../../helpers/test-config.js';

describe('health, readiness and metrics', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => api.close());

  it('answers /healthz without a key', async () => {
    const res = await api.request({ url: '/healthz', key: null });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('reports ready when MySQL and Redis both answer', async () => {
    const res = await api.request({ url: '/readyz', key: null });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('reports each check and the details on the operators listener only', async () => {
    const res = await api.app.internalHttp.inject({ url: '/readyz' });
    // details: chat events given up after an outage, live comments kept in live_comment_dead_letters
    // (docs/operations.md); never a reason to be unready
    expect(res.json()).toEqual({ status: 'ok', checks: { mysql: 'ok', redis: 'ok' }, details: { botDeadLetters: 0, liveCommentDeadLetters: 0 } });
  });

  // metrics are on the operators' listener (app.internalHttp), not the public server
  const scrape = () => api.app.internalHttp.inject({ url: '/metrics' });

  it('serves Prometheus metrics including HTTP request durations by route', async () => {
    await api.request({ url: '/healthz', key: null });
    const res = await scrape();
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toMatch(/quicksell_http_request_duration_seconds_count\{method="GET",route="\/healthz",status_code="200"\} \d+/);
    expect(res.body).toContain('# TYPE quicksell_orders_created_total counter');
    expect(res.body).toContain('# TYPE quicksell_order_processing_duration_seconds histogram');
  });

  it('exposes the BullMQ queue depths per queue and state', async () => {
    const res = await scrape();
    expect(res.body).toMatch(/^quicksell_queue_depth\{queue="notifications",state="waiting"\} \d+$/m);
    expect(res.body).toMatch(/^quicksell_queue_depth\{queue="[\w-]+",state="failed"\} \d+$/m);
  });

  it('exposes queue depths from any source registered with setQueueDepthSource', async () => {
    api.app.metrics.setQueueDepthSource(async () => [{ queue: 'notifications', state: 'waiting', count: 7 }]);
    const res = await scrape();
    expect(res.body).toContain('quicksell_queue_depth{queue="notifications",state="waiting"} 7');
  });

  it('counts order results reported through the engine observer', async () => {
    api.app.metrics.orderObserver.orderFailed('INSUFFICIENT_STOCK');
    api.app.metrics.orderObserver.orderCreated(42);
    const res = await scrape();
    expect(res.body).toContain('quicksell_orders_failed_total{code="INSUFFICIENT_STOCK"} 1');
    expect(res.body).toContain('quicksell_orders_created_total 1');
    expect(res.body).toContain('quicksell_order_processing_duration_seconds_bucket{le="0.05"} 1');
  });
});

describe('readiness of a busy process', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ DB_POOL_SIZE: '2' });
  });
  afterAll(async () => api.close());

  // Every connection of the work's pool busy (queries queued behind them): MySQL still answers, and the
  // process must not read as unready. Before, /readyz's SELECT 1 waited in that queue past its 1 s limit
  // and answered 503 "mysql: no answer within 1000 ms": a load balancer took a busy process out.
  it('stays ready while every connection of the pool is taken', async () => {
    const held: PoolConnection[] = [];
    for (let i = 0; i < 2; i++) held.push(await api.app.db.getConnection());
    try {
      const pub = await api.request({ url: '/readyz', key: null });
      expect([pub.statusCode, pub.json()]).toEqual([200, { status: 'ok' }]);
      const ops = await api.app.internalHttp.inject({ url: '/readyz' });
      expect(ops.json().checks).toEqual({ mysql: 'ok', redis: 'ok' });
    } finally {
      for (const c of held) c.release();
    }
  });
});

describe('when MySQL is not reachable', () => {
  let api: TestApi;
  let proxy: TcpProxy;
  beforeAll(async () => {
    const url = testConfig().DATABASE_URL;
    proxy = await startTcpProxy(Number(new URL(url).port || 3306));
    api = await startTestApi({ DATABASE_URL: proxy.via(url) });
  });
  afterAll(async () => {
    proxy.restore();
    await api.close();
    await proxy.close();
  });

  it('/readyz answers 503 and names MySQL, and is ready again once MySQL is back', async () => {
    expect((await api.request({ url: '/readyz', key: null })).statusCode).toBe(200);
    proxy.cut();
    const res = await api.request({ url: '/readyz', key: null });
    expect([res.statusCode, res.json()]).toEqual([503, { status: 'unavailable', failing: ['mysql'] }]);
    const ops = await api.app.internalHttp.inject({ url: '/readyz' });
    expect(ops.statusCode).toBe(503);
    expect(ops.json().failing).toEqual(['mysql']);
    expect(ops.json().checks.redis).toBe('ok');
    proxy.restore();
    await expect.poll(async () => (await api.request({ url: '/readyz', key: null })).statusCode, { timeout: 10_000 }).toBe(200);
  });
});

describe('when Redis is not reachable', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ REDIS_URL: 'redis://127.0.0.1:1', API_RATE_LIMIT: '300' });
  });
  afterAll(async () => api.close());

  it('/readyz answers 503 and names Redis, not MySQL', async () => {
    const res = await api.request({ url: '/readyz', key: null });
    expect(res.statusCode).toBe(503);
    const body = res.json();
    expect(body.status).toBe('unavailable');
    expect(body).toEqual({ status: 'unavailable', failing: ['redis'] });
  });

  it('still takes orders: rate limits are skipped and the outbox keeps the jobs for later', async () => {
    const userId = await makeUser(api.app.db);
    const productId = await makeProduct(api.app.db);
    const res = await api.request({ method: 'POST', url: '/api/orders', body: seedOrderPayload(userId, productId, 2) });
    expect(res.statusCode).toBe(201);
    const [rows] = await api.app.db.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM notification_queue WHERE order_id = ? AND published_at IS NULL', [res.json().order_id]);
    expect(Number(rows[0]?.n)).toBeGreaterThan(0);
  });

  it('/healthz still answers: the process is up', async () => {
    expect((await api.request({ url: '/healthz', key: null })).statusCode).toBe(200);
  });
});

describe('admin API keys (Authorization: Bearer)', () => {
  let api: TestApi;
  let adminKey: string;
  let revokedKey: string;
  beforeAll(async () => {
    api = await startTestApi();
    adminKey = (await api.app.admins.create(`auth-test-${Date.now()}`)).key;
    const revoked = await api.app.admins.create(`auth-revoked-${Date.now()}`);
    revokedKey = revoked.key;
    await api.app.admins.revoke(revoked.id);
  });
  afterAll(async () => api.close());

  const denied = async (key: string | null, headers: Record<string, string> = {}) => {
    const res = await api.request({ url: '/api/reports/summary', key, headers });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="quicksell"');
    return res.body;
  };

  it('refuses a missing, wrong, unknown, malformed or revoked key with one identical body', async () => {
    const bodies = [
      await denied(null),
      await denied(`${adminKey.slice(0, -1)}x`), // wrong: one character off a real key
      await denied('qs_totally-unknown-key'),
      await denied(null, { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }),
      await denied(revokedKey),
    ];
    expect(new Set(bodies).size).toBe(1);
    expect(JSON.parse(bodies[0] as string)).toEqual({ success: false, error: 'Missing or invalid API key', code: 'UNAUTHORIZED' });
  });

  it('accepts a key created with the admin service and the ADMIN_API_KEY root key', async () => {
    expect((await api.request({ url: '/api/reports/summary', key: adminKey })).statusCode).toBe(200);
    expect((await api.request({ url: '/api/reports/summary' })).statusCode).toBe(200);
  });

  it('takes the scheme name in any case (RFC 9110)', async () => {
    expect((await api.request({ url: '/api/reports/summary', key: null, headers: { authorization: `bearer ${adminKey}` } })).statusCode).toBe(200);
  });

  it('never stores a key in clear', async () => {
    const [rows] = await api.app.db.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM admins WHERE api_key_hash = ? OR key_prefix = ?', [adminKey, adminKey]);
    expect(Number(rows[0]?.n)).toBe(0);
  });
});

describe('rate limiting on /api', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ API_RATE_LIMIT: '3' });
  });
  afterAll(async () => api.close());

  it('answers 429 with Retry-After once a client passes API_RATE_LIMIT requests a minute', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await api.request({ url: '/api/reports/summary', key: 'wrong' })).statusCode);
    expect(statuses).toEqual([401, 401, 401, 429]);
    const res = await api.request({ url: '/api/reports/summary' });
    expect(res.statusCode).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(res.json()).toMatchObject({ success: false, code: 'RATE_LIMITED' });
  });

  it('limits one key across many IPs too', async () => {
    const { key } = await api.app.admins.create(`limited-${Date.now()}`);
    const statuses: number[] = [];
    for (let i = 1; i <= 4; i++) {
      statuses.push((await api.request({ url: '/api/reports/summary', key, remoteAddress: `10.0.0.${i}` })).statusCode);
    }
    expect(statuses.slice(0, 3)).not.toContain(429);
    expect(statuses[3]).toBe(429);
  });

  it('does not limit /healthz', async () => {
    for (let i = 0; i < 5; i++) expect((await api.request({ url: '/healthz', key: null })).statusCode).toBe(200);
  });
});

import { randomUUID } from 'node:crypto';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProduct, makeUser, seedOrderPayload } from '../../helpers/factories.js';
import { startTestApi, type TestApi } from './http-test-app.js';
import { idempotencyKeyHash, requestFingerprint } from '../../../src/http/idempotency.js';
import { eventually } from '../jobs/jobs-harness.js';

/**
 * An Idempotency-Key claim is a lease (IDEMPOTENCY_LEASE_MS) renewed while its request runs: a claim left
 * by a process that died is taken over after one lease, and a live slow request is never taken over.
 */
describe('the Idempotency-Key lease', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ IDEMPOTENCY_LEASE_MS: '1000' });
  });
  afterAll(async () => api.close());

  const post = (body: unknown, key: string) => api.request({ method: 'POST', url: '/api/orders', body, headers: { 'idempotency-key': key } });
  const payload = async () => seedOrderPayload(await makeUser(api.app.db), await makeProduct(api.app.db, { stock: 50 }), 2);

  it('takes over a claim whose request died seconds ago, and the retry succeeds', async () => {
    const key = randomUUID();
    const body = await payload();
    await api.app.db.query(
      `INSERT INTO idempotency_keys (scope, key_hash, request_hash, owner_token, status, updated_at)
       VALUES ('admin:root', ?, ?, 'dead-process', 'in_progress', NOW(3) - INTERVAL 2 SECOND)`,
      [idempotencyKeyHash(key), requestFingerprint('POST', '/api/orders', {}, body)],
    );
    const res = await post(body, key);
    expect(res.statusCode).toBe(201);
    expect(res.json().order_id).toBeGreaterThan(0);
  });

  it('keeps a live request’s claim past the lease: a retry waits for its answer instead of running again', async () => {
    const body = await payload();
    const key = randomUUID();
    const blocker = await mysql.createConnection({ uri: api.app.config.DATABASE_URL });
    try {
      // hold the product row so the first request's stock reservation waits on it
      await blocker.query('BEGIN');
      await blocker.query('SELECT id FROM products WHERE id = ? FOR UPDATE', [body.items[0]!.product_id]);
      const first = post(body, key);
      const renewedTwice = async () => {
        const [rows] = await api.app.db.query<RowDataPacket[]>(
          `SELECT TIMESTAMPDIFF(MICROSECOND, created_at, updated_at) DIV 1000 AS held_ms FROM idempotency_keys WHERE key_hash = ?`,
          [idempotencyKeyHash(key)],
        );
        return Number(rows[0]?.held_ms ?? 0) > 1500; // renewed past more than one lease
      };
      await eventually(renewedTwice, 20_000, 'the lease renewed while the request runs');
      const retry = post(body, key);
      await new Promise((r) => setTimeout(r, 300)); // the retry is polling the claim now
      await blocker.query('COMMIT');
      const [a, b] = await Promise.all([first, retry]);
      expect(a.statusCode).toBe(201);
      expect(b.statusCode).toBe(201);
      expect(b.headers['idempotent-replayed']).toBe('true');
      expect(b.json()).toEqual(a.json());
    } finally {
      await blocker.end();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RowDataPacket } from 'mysql2';
import { randomUUID } from 'node:crypto';
import { makeProduct, makeUser, seedOrderPayload } from '../../helpers/factories.js';
import { startTestApi, type TestApi } from './http-test-app.js';
import { createIdempotency, idempotencyKeyHash, requestFingerprint } from '../../../src/http/idempotency.js';

describe('Idempotency-Key on POST /api/orders', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => api.close());

  async function fixture(stock = 50) {
    const userId = await makeUser(api.app.db, { name: `idem ${randomUUID()}` });
    const productId = await makeProduct(api.app.db, { stock });
    return { userId, productId, payload: seedOrderPayload(userId, productId, 2) };
  }
  const ordersOf = async (userId: number) =>
    (await api.app.db.query<RowDataPacket[]>('SELECT id FROM orders WHERE user_id = ?', [userId]))[0].map((r) => Number(r.id));
  const post = (body: unknown, key: string, apiKey?: string) =>
    api.request({ method: 'POST', url: '/api/orders', body, headers: { 'idempotency-key': key }, key: apiKey });

  it('a retry with the same key returns the first order instead of creating a second', async () => {
    const { userId, payload } = await fixture();
    const key = randomUUID();
    const first = await post(payload, key);
    const retry = await post(payload, key);
    expect(first.statusCode).toBe(201);
    expect(retry.statusCode).toBe(201);
    expect(retry.json()).toEqual(first.json());
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(await ordersOf(userId)).toEqual([first.json().order_id]);
  });

  it('treats the same body with its fields in another order as the same request', async () => {
    const { userId, payload } = await fixture();
    const key = randomUUID();
    const first = await post(payload, key);
    const reordered = Object.fromEntries(Object.entries(payload).reverse());
    const retry = await post(reordered, key);
    expect(retry.json().order_id).toBe(first.json().order_id);
    expect(await ordersOf(userId)).toHaveLength(1);
  });

  it('answers 409 when the same key comes with a different body, and creates nothing', async () => {
    const { userId, payload } = await fixture();
    const key = randomUUID();
    await post(payload, key);
    const other = await post({ ...payload, items: [{ ...payload.items[0], quantity: 3 }] }, key);
    expect(other.statusCode).toBe(409);
    expect(other.json()).toMatchObject({ success: false, code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(await ordersOf(userId)).toHaveLength(1);
  });

  it('when ten retries race with one key, exactly one order is created and all get it', async () => {
    const { userId, payload } = await fixture();
    const key = randomUUID();
    const answers = await Promise.all(Array.from({ length: 10 }, () => post(payload, key)));
    expect(answers.map((a) => a.statusCode)).toEqual(Array(10).fill(201));
    const ids = new Set(answers.map((a) => a.json().order_id));
    expect(ids.size).toBe(1);
    expect(await ordersOf(userId)).toEqual([...ids]);
  });

  it('replays a refused order (out of stock) as the same refusal', async () => {
    const { userId, payload } = await fixture(1);
    const key = randomUUID();
    const first = await post(payload, key);
    expect(first.statusCode).toBe(400);
    await api.app.db.query('UPDATE products SET stock_quantity = 100 WHERE id = ?', [payload.items[0]?.product_id]);
    const retry = await post(payload, key);
    expect(retry.statusCode).toBe(400);
    expect(retry.json()).toEqual(first.json());
    expect(await ordersOf(userId)).toHaveLength(0);
  });

  it('keeps keys per admin: another admin with the same key gets an order of its own', async () => {
    const { userId, payload } = await fixture();
    const other = await api.app.admins.create(`idem-admin-${randomUUID().slice(0, 8)}`);
    const key = randomUUID();
    const mine = await post(payload, key);
    const theirs = await post(payload, key, other.key);
    expect(theirs.statusCode).toBe(201);
    expect(theirs.json().order_id).not.toBe(mine.json().order_id);
    expect(await ordersOf(userId)).toHaveLength(2);
  });

  it('without a key, two identical posts are two orders (the header is what makes a retry)', async () => {
    const { userId, payload } = await fixture();
    await api.request({ method: 'POST', url: '/api/orders', body: payload });
    await api.request({ method: 'POST', url: '/api/orders', body: payload });
    expect(await ordersOf(userId)).toHaveLength(2);
  });

  it('stores only a hash of the key', async () => {
    const { payload } = await fixture();
    const key = `visible-${randomUUID()}`;
    await post(payload, key);
    const [rows] = await api.app.db.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM idempotency_keys WHERE key_hash = ?', [key]);
    expect(Number(rows[0]?.n)).toBe(0);
  });
});

describe('Idempotency-Key rows left by another request', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => api.close());

  async function seedRow(key: string, body: unknown, opts: { status: 'in_progress' | 'completed'; idleMinutes?: number; ageHours?: number }) {
    await api.app.db.query(
      `INSERT INTO idempotency_keys (scope, key_hash, request_hash, owner_token, status, response_status, response_body, created_at, updated_at)
       VALUES ('admin:root', ?, ?, 'someone-else', ?, ?, ?, NOW() - INTERVAL ? HOUR, NOW() - INTERVAL ? MINUTE)`,
      [
        idempotencyKeyHash(key),
        requestFingerprint('POST', '/api/orders', {}, body),
        opts.status,
        opts.status === 'completed' ? 201 : null,
        opts.status === 'completed' ? '{"success":true,"order_id":-1}' : null,
        opts.ageHours ?? 0,
        opts.idleMinutes ?? 0,
      ],
    );
  }
  const payload = async () => seedOrderPayload(await makeUser(api.app.db), await makeProduct(api.app.db), 2);
  const post = (body: unknown, key: string) => api.request({ method: 'POST', url: '/api/orders', body, headers: { 'idempotency-key': key } });

  it('a retry that arrives while the first request still runs waits for, and returns, its answer', async () => {
    const key = randomUUID();
    const body = await payload();
    await seedRow(key, body, { status: 'in_progress' });
    const retry = post(body, key);
    await new Promise((r) => setTimeout(r, 300));
    await api.app.db.query(
      `UPDATE idempotency_keys SET status = 'completed', response_status = 201, response_body = '{"success":true,"order_id":-7}' WHERE key_hash = ?`,
      [idempotencyKeyHash(key)],
    );
    const res = await retry;
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ success: true, order_id: -7 });
  });

  it('a request abandoned minutes ago (its process died) is taken over and runs', async () => {
    const key = randomUUID();
    const body = await payload();
    await seedRow(key, body, { status: 'in_progress', idleMinutes: 10 });
    const res = await post(body, key);
    expect(res.statusCode).toBe(201);
    expect(res.json().order_id).toBeGreaterThan(0);
  });

  it('a key older than 24 hours is forgotten: the request runs again', async () => {
    const key = randomUUID();
    const body = await payload();
    await seedRow(key, body, { status: 'completed', ageHours: 25 });
    const res = await post(body, key);
    expect(res.statusCode).toBe(201);
    expect(res.json().order_id).toBeGreaterThan(0);
  });

  it('expired keys are purged in batches, fresh ones kept', async () => {
    const [oldKey, freshKey] = [randomUUID(), randomUUID()];
    await seedRow(oldKey, { a: 1 }, { status: 'completed', ageHours: 25 });
    await seedRow(freshKey, { a: 1 }, { status: 'completed' });
    expect(await createIdempotency(api.app.db).purgeExpired()).toBeGreaterThanOrEqual(1);
    const [rows] = await api.app.db.query<RowDataPacket[]>('SELECT key_hash FROM idempotency_keys WHERE key_hash IN (?, ?)', [
      idempotencyKeyHash(oldKey),
      idempotencyKeyHash(freshKey),
    ]);
    expect(rows.map((r) => r.key_hash)).toEqual([idempotencyKeyHash(freshKey)]);
  });
});

describe('Idempotency-Key after a crash between the order commit and the stored answer', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => api.close());

  const post = (body: unknown, key: string) => api.request({ method: 'POST', url: '/api/orders', body, headers: { 'idempotency-key': key } });
  const ordersOf = async (userId: number) =>
    (await api.app.db.query<RowDataPacket[]>('SELECT id FROM orders WHERE user_id = ?', [userId]))[0].map((r) => Number(r.id));
  /** The state a process leaves when it dies right after the engine committed: the order exists, its answer does not. */
  async function crashAfterCommit(key: string, how: 'abandoned' | 'deleted'): Promise<void> {
    const where = "scope = 'admin:root' AND key_hash = ?";
    const sql =
      how === 'deleted'
        ? `DELETE FROM idempotency_keys WHERE ${where}`
        : `UPDATE idempotency_keys SET status = 'in_progress', response_status = NULL, response_body = NULL,
             owner_token = 'dead-process', updated_at = NOW() - INTERVAL 10 MINUTE WHERE ${where}`;
    const [res] = await api.app.db.query<import('mysql2').ResultSetHeader>(sql, [idempotencyKeyHash(key)]);
    expect(res.affectedRows).toBe(1);
  }
  async function placed() {
    const userId = await makeUser(api.app.db);
    const payload = seedOrderPayload(userId, await makeProduct(api.app.db, { stock: 50 }), 2);
    const key = randomUUID();
    const first = await post(payload, key);
    expect(first.statusCode).toBe(201);
    return { userId, payload, key, orderId: first.json().order_id as number };
  }

  it('a retry after the abandoned request is taken over gets the first order back, not a second one', async () => {
    const { userId, payload, key, orderId } = await placed();
    await crashAfterCommit(key, 'abandoned');
    const retry = await post(payload, key);
    expect(retry.statusCode).toBe(201);
    expect(retry.json()).toMatchObject({ success: true, order_id: orderId });
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(await ordersOf(userId)).toEqual([orderId]);
    // and the answer is now stored: a further retry is a plain replay of it
    const again = await post(payload, key);
    expect(again.json()).toEqual(retry.json());
  });

  it('a retry after the stored answer row is gone gets the first order back', async () => {
    const { userId, payload, key, orderId } = await placed();
    await crashAfterCommit(key, 'deleted');
    const retry = await post(payload, key);
    expect(retry.statusCode).toBe(201);
    expect(retry.json().order_id).toBe(orderId);
    expect(await ordersOf(userId)).toEqual([orderId]);
  });

  it('with the row gone, the same key with a different body is a new order, never the unrelated first one', async () => {
    const { userId, payload, key, orderId } = await placed();
    await crashAfterCommit(key, 'deleted');
    const other = await post({ ...payload, shipping_address: { ...payload.shipping_address, address: '9 Other Street' } }, key);
    expect(other.statusCode).toBe(201);
    expect(other.json().order_id).not.toBe(orderId);
    expect(other.headers['idempotent-replayed']).toBeUndefined();
    expect((await ordersOf(userId)).sort()).toEqual([orderId, other.json().order_id].sort());
  });

  it('with the row abandoned, the same key with a different body is still refused (409) and creates nothing', async () => {
    const { userId, payload, key, orderId } = await placed();
    await crashAfterCommit(key, 'abandoned');
    const other = await post({ ...payload, items: [{ ...payload.items[0], quantity: 3 }] }, key);
    expect(other.statusCode).toBe(409);
    expect(other.json()).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(await ordersOf(userId)).toEqual([orderId]);
  });
});

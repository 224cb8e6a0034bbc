import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RowDataPacket } from 'mysql2';
import { randomUUID } from 'node:crypto';
import { makeProduct, makeUser, seedOrderPayload } from '../../helpers/factories.js';
import { startTestApi, type TestApi } from './http-test-app.js';

/** POST /api/orders/quote: createOrder's own checks and totals, with nothing written. */
function bodyFor(userId: number, productId: number, quantity: number, extra: Record<string, unknown> = {}) {
  const { subtotal: _s, shipping_fee: _f, discount_amount: _d, total_amount: _t, ...rest } = seedOrderPayload(userId, productId, quantity);
  return { ...rest, ...extra };
}

describe('POST /api/orders/quote', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => api.close());

  const count = async (sql: string, params: unknown[]) => Number((await api.app.db.query<RowDataPacket[]>(sql, params))[0][0]!.n);
  const promo = async (value = '10', extra = '') => {
    const code = `Q${randomUUID().slice(0, 8).toUpperCase()}`;
    await api.app.db.query(`INSERT INTO promo_codes (code, discount_type, discount_value${extra ? ', usage_limit, times_used' : ''}) VALUES (?, 'percent', ?${extra})`, [code, value]);
    return code;
  };

  it('answers the totals createOrder would charge and writes nothing', async () => {
    const userId = await makeUser(api.app.db);
    const productId = await makeProduct(api.app.db, { stock: 5, price: '1000.00' });
    const code = await promo();
    const res = await api.request({ method: 'POST', url: '/api/orders/quote', body: bodyFor(userId, productId, 2, { promo_code: code.toLowerCase() }) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ success: true, subtotal: 2000, shipping_fee: 100, discount_amount: 200, total_amount: 1900, promo_code: code, warnings: [] });
    expect(await count('SELECT COUNT(*) AS n FROM orders WHERE user_id = ?', [userId])).toBe(0);
    expect(await count('SELECT reserved_quantity AS n FROM products WHERE id = ?', [productId])).toBe(0);
    expect(await count('SELECT times_used AS n FROM promo_codes WHERE code = ?', [code])).toBe(0);
  });

  it('equals the total of the order placed right after it', async () => {
    const userId = await makeUser(api.app.db);
    const productId = await makeProduct(api.app.db, { stock: 5, price: '333.33' });
    const code = await promo('12.5');
    const body = bodyFor(userId, productId, 3, { promo_code: code });
    const quote = (await api.request({ method: 'POST', url: '/api/orders/quote', body })).json();
    const placed = await api.request({ method: 'POST', url: '/api/orders', body: { ...body, total_amount: quote.total_amount } });
    expect(placed.statusCode).toBe(201);
    const [[order]] = await api.app.db.query<RowDataPacket[]>('SELECT subtotal, shipping_fee, discount_amount, total_amount FROM orders WHERE id = ?', [placed.json().order_id]);
    expect(order).toEqual({
      subtotal: quote.subtotal.toFixed(2),
      shipping_fee: quote.shipping_fee.toFixed(2),
      discount_amount: quote.discount_amount.toFixed(2),
      total_amount: quote.total_amount.toFixed(2),
    });
  });

  it('answers 400 INVALID_PROMO for an unknown or used-up code, like createOrder', async () => {
    const userId = await makeUser(api.app.db);
    const productId = await makeProduct(api.app.db);
    const unknown = await api.request({ method: 'POST', url: '/api/orders/quote', body: bodyFor(userId, productId, 1, { promo_code: 'NOPE-NOT-A-CODE' }) });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ success: false, code: 'INVALID_PROMO', validation_errors: [{ field: 'promo_code', code: 'INVALID_PROMO' }] });
    const usedUp = await promo('10', ', 1, 1');
    const res = await api.request({ method: 'POST', url: '/api/orders/quote', body: bodyFor(userId, productId, 1, { promo_code: usedUp }) });
    expect(res.json()).toMatchObject({ code: 'INVALID_PROMO', error: `Promo code ${usedUp} has reached its usage limit` });
  });

  it('checks client totals when they are sent, and refuses what createOrder refuses', async () => {
    const userId = await makeUser(api.app.db);
    const productId = await makeProduct(api.app.db, { stock: 1 });
    const wrong = await api.request({ method: 'POST', url: '/api/orders/quote', body: bodyFor(userId, productId, 1, { total_amount: 5 }) });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toMatchObject({ code: 'TOTAL_MISMATCH', validation_errors: [{ field: 'total_amount' }] });
    const tooMany = await api.request({ method: 'POST', url: '/api/orders/quote', body: bodyFor(userId, productId, 2) });
    expect(tooMany.json()).toMatchObject({ code: 'INSUFFICIENT_STOCK' });
    const unknownField = await api.request({ method: 'POST', url: '/api/orders/quote', body: bodyFor(userId, productId, 1, { colour: 'red' }) });
    expect(unknownField.json()).toMatchObject({ code: 'VALIDATION_FAILED', validation_errors: [{ field: 'colour', code: 'UNKNOWN_FIELD' }] });
    const noKey = await api.request({ method: 'POST', url: '/api/orders/quote', body: bodyFor(userId, productId, 1), key: null });
    expect(noKey.statusCode).toBe(401);
  });
});

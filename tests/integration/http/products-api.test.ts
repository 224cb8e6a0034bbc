import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RowDataPacket } from 'mysql2';
import { randomUUID } from 'node:crypto';
import { makeProduct, makeUser, seedOrderPayload } from '../../helpers/factories.js';
import { startTestApi, type TestApi } from './http-test-app.js';

describe('the products and reports API', () => {
  let api: TestApi;
  let tag: string;
  beforeAll(async () => {
    api = await startTestApi();
    tag = `prod-${randomUUID().slice(0, 8)}`;
  });
  afterAll(async () => api.close());

  const stockOf = async (id: number) =>
    (await api.app.db.query<RowDataPacket[]>('SELECT stock_quantity, reserved_quantity FROM products WHERE id = ?', [id]))[0][0];

  it('POST /api/products creates a product and answers 201 with its id at the top level', async () => {
    const res = await api.request({
      method: 'POST',
      url: '/api/products',
      body: { name: `${tag} Barong`, price: 1500, stock_quantity: 12, sku: `${tag}-B`, category: 'Apparel', low_stock_threshold: 3 },
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ success: true, id: expect.any(Number), name: `${tag} Barong`, price: '1500.00', stock_quantity: 12, available_quantity: 12 });
    const list = (await api.request({ url: `/api/products?search=${encodeURIComponent(tag)}` })).json();
    expect(list.products.map((p: { id: number }) => p.id)).toContain(body.id);
  });

  it('GET /api/products/:id returns one product with its available quantity, or 404', async () => {
    const id = await makeProduct(api.app.db, { stock: 9 });
    const res = await api.request({ url: `/api/products/${id}` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ success: true, id, stock_quantity: 9, available_quantity: 9 });
    const missing = await api.request({ url: '/api/products/999999999' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ success: false, error: 'Product not found', code: 'PRODUCT_NOT_FOUND' });
  });

  it('a second product with the same SKU is 409 and is not created', async () => {
    const body = { name: `${tag} Dup`, price: 10, stock_quantity: 1, sku: `${tag}-DUP` };
    expect((await api.request({ method: 'POST', url: '/api/products', body })).statusCode).toBe(201);
    const again = await api.request({ method: 'POST', url: '/api/products', body });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ success: false, code: 'DUPLICATE_SKU' });
    const [rows] = await api.app.db.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM products WHERE sku = ?', [`${tag}-DUP`]);
    expect(Number(rows[0]?.n)).toBe(1);
  });

  it('PATCH /api/products/:id changes price, status and threshold', async () => {
    const id = await makeProduct(api.app.db, { price: '100.00' });
    const res = await api.request({ method: 'PATCH', url: `/api/products/${id}`, body: { price: '120.50', status: 'inactive', low_stock_threshold: 7 } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ success: true, id, price: '120.50', status: 'inactive', low_stock_threshold: 7 });
  });

  it('PATCH on an unknown product is 404', async () => {
    const res = await api.request({ method: 'PATCH', url: '/api/products/999999999', body: { price: 1 } });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ success: false, code: 'PRODUCT_NOT_FOUND' });
  });

  it('POST /api/products/:id/stock restocks', async () => {
    const id = await makeProduct(api.app.db, { stock: 5 });
    const res = await api.request({ method: 'POST', url: `/api/products/${id}/stock`, body: { delta: 10, reason: 'delivery from supplier' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ success: true, id, stock_quantity: 15 });
  });

  it('refuses to take stock below what pending orders hold (409), changing nothing', async () => {
    const productId = await makeProduct(api.app.db, { stock: 5 });
    const userId = await makeUser(api.app.db);
    const order = await api.request({ method: 'POST', url: '/api/orders', body: seedOrderPayload(userId, productId, 2) });
    expect(order.statusCode).toBe(201);
    const res = await api.request({ method: 'POST', url: `/api/products/${productId}/stock`, body: { delta: -4, reason: 'count' } });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ success: false, code: 'STOCK_BELOW_RESERVED' });
    expect(await stockOf(productId)).toEqual({ stock_quantity: 5, reserved_quantity: 2 });
  });

  it('stock change on an unknown product is 404', async () => {
    const res = await api.request({ method: 'POST', url: '/api/products/999999999/stock', body: { delta: 1, reason: 'x' } });
    expect(res.statusCode).toBe(404);
  });

  it("GET /api/reports/summary answers the seed's three dashboard queries in one JSON", async () => {
    const res = await api.request({ url: '/api/reports/summary' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      success: true,
      today: { total_orders: expect.any(Number), delivered: expect.any(Number), total_errors: expect.any(Number) },
      inventory_alerts: expect.any(Array),
      processing_queue: expect.any(Array),
    });
  });
});

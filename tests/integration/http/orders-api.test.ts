import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RowDataPacket } from 'mysql2';
import { randomUUID } from 'node:crypto';
import { makeProduct, makeUser, seedOrderPayload } from '../../helpers/factories.js';
import { startTestApi, type TestApi } from './http-test-app.js';

/** The seed payload without client totals (they are checked when sent; the seed's are for 2 units). */
function orderFor(userId: number, productId: number, quantity: number) {
  const { subtotal: _s, shipping_fee: _f, discount_amount: _d, total_amount: _t, ...rest } = seedOrderPayload(userId, productId, quantity);
  return rest;
}

describe('the orders API', () => {
  let api: TestApi;
  let admin: { id: number; key: string };
  beforeAll(async () => {
    api = await startTestApi();
    admin = await api.app.admins.create(`orders-admin-${randomUUID().slice(0, 8)}`);
  });
  afterAll(async () => api.close());

  async function placeOrder(opts: { stock?: number; quantity?: number; body?: Record<string, unknown>; headers?: Record<string, string> } = {}) {
    const userId = await makeUser(api.app.db);
    const productId = await makeProduct(api.app.db, { stock: opts.stock ?? 20 });
    const res = await api.request({
      method: 'POST',
      url: '/api/orders',
      body: { ...orderFor(userId, productId, opts.quantity ?? 2), ...opts.body },
      headers: opts.headers,
    });
    return { res, userId, productId, orderId: res.json().order_id as number };
  }
  const history = async (orderId: number) =>
    (await api.app.db.query<RowDataPacket[]>('SELECT from_status, to_status, changed_by FROM order_state_history WHERE order_id = ? ORDER BY id', [orderId]))[0];
  const act = (orderId: number, action: string, body: unknown = {}, key?: string) =>
    api.request({ method: 'POST', url: `/api/orders/${orderId}/${action}`, body, key });

  describe('POST /api/orders', () => {
    it('creates a pending order and answers 201 in the seed shape', async () => {
      const { res } = await placeOrder();
      expect(res.statusCode).toBe(201);
      expect(res.json()).toEqual({
        success: true,
        order_number: expect.stringMatching(/^ORD-\d{8}-\d+/),
        order_id: expect.any(Number),
        message: 'Order created successfully',
        warnings: expect.any(Array),
      });
    });

    it('records the source, client IP and user agent, and the acting admin in the history', async () => {
      const { orderId } = await placeOrder({ headers: { 'user-agent': 'shop-pos/1.0' }, body: { order_source: 'pos' } });
      const [rows] = await api.app.db.query<RowDataPacket[]>('SELECT order_source, ip_address, user_agent FROM orders WHERE id = ?', [orderId]);
      expect(rows[0]).toEqual({ order_source: 'pos', ip_address: '127.0.0.1', user_agent: 'shop-pos/1.0' });
      expect(await history(orderId)).toEqual([{ from_status: null, to_status: 'pending', changed_by: 'admin:root' }]);
    });

    it('defaults order_source to api', async () => {
      const { orderId } = await placeOrder();
      const [rows] = await api.app.db.query<RowDataPacket[]>('SELECT order_source FROM orders WHERE id = ?', [orderId]);
      expect(rows[0]?.order_source).toBe('api');
    });

    it('answers 400 with validation_errors when stock is short, and reserves nothing', async () => {
      const { res, productId } = await placeOrder({ stock: 1, quantity: 2 });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ success: false, code: 'INSUFFICIENT_STOCK', error: expect.any(String), validation_errors: expect.any(Array) });
      const [rows] = await api.app.db.query<RowDataPacket[]>('SELECT reserved_quantity FROM products WHERE id = ?', [productId]);
      expect(rows[0]?.reserved_quantity).toBe(0);
    });

    it('answers 400 (not 404) for a product that does not exist', async () => {
      const userId = await makeUser(api.app.db);
      const res = await api.request({ method: 'POST', url: '/api/orders', body: seedOrderPayload(userId, 999_999_999) });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ success: false, code: 'PRODUCT_NOT_FOUND' });
    });
  });

  it('/metrics counts the orders the engine created and refused, by code', async () => {
    // metrics are served on the operators' listener, not the public server
    const scrape = async () => (await api.app.internalHttp.inject({ url: '/metrics' })).body;
    const metric = async (re: RegExp) => Number(re.exec(await scrape())?.[1] ?? 0);
    const created = /^quicksell_orders_created_total (\d+)$/m;
    const refused = /^quicksell_orders_failed_total\{code="INSUFFICIENT_STOCK"\} (\d+)$/m;
    const [c0, r0] = [await metric(created), await metric(refused)];
    await placeOrder();
    await placeOrder({ stock: 1, quantity: 2 });
    expect(await metric(created)).toBe(c0 + 1);
    expect(await metric(refused)).toBe(r0 + 1);
    expect(await scrape()).toMatch(/^quicksell_order_processing_duration_seconds_count [1-9]\d*$/m);
  });

  describe('reading orders', () => {
    it('GET /api/orders/:id returns items, reservations and state history', async () => {
      const { orderId, productId } = await placeOrder({ quantity: 3 });
      const res = await api.request({ url: `/api/orders/${orderId}` });
      expect(res.statusCode).toBe(200);
      const { order } = res.json();
      expect(order).toMatchObject({ id: orderId, order_status: 'pending' });
      expect(order.items).toEqual([expect.objectContaining({ product_id: productId, quantity: 3 })]);
      expect(order.reservations).toEqual([expect.objectContaining({ product_id: productId, quantity: 3, status: 'reserved' })]);
      expect(order.history).toEqual([expect.objectContaining({ to_status: 'pending' })]);
    });

    it('GET /api/orders/:id answers 404 for an unknown order', async () => {
      const res = await api.request({ url: '/api/orders/999999999' });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ success: false, error: 'Order not found', code: 'ORDER_NOT_FOUND' });
    });

    it('GET /api/orders pages through one user\'s orders with a cursor, newest first', async () => {
      const userId = await makeUser(api.app.db);
      const productId = await makeProduct(api.app.db, { stock: 50 });
      const ids: number[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await api.request({ method: 'POST', url: '/api/orders', body: orderFor(userId, productId, 1 + i) });
        ids.push(res.json().order_id);
      }
      const first = (await api.request({ url: `/api/orders?user_id=${userId}&status=pending&limit=2` })).json();
      expect(first.orders.map((o: { id: number }) => o.id)).toEqual([ids[2], ids[1]]);
      expect(first.next_cursor).toEqual(expect.any(String));
      const second = (await api.request({ url: `/api/orders?user_id=${userId}&limit=2&cursor=${encodeURIComponent(first.next_cursor)}` })).json();
      expect(second.orders.map((o: { id: number }) => o.id)).toEqual([ids[0]]);
      expect(second.next_cursor).toBeNull();
    });
  });

  describe('moving an order through its states', () => {
    it('confirm → ship → deliver, each recorded with the acting admin', async () => {
      const { orderId } = await placeOrder();
      const confirm = await act(orderId, 'confirm', { notes: 'Payment verified' }, admin.key);
      expect(confirm.statusCode).toBe(200);
      expect(confirm.json()).toMatchObject({ success: true, message: expect.any(String), order_status: 'confirmed' });
      expect((await act(orderId, 'ship', { tracking_number: 'LBC-123' }, admin.key)).statusCode).toBe(200);
      expect((await act(orderId, 'deliver', undefined, admin.key)).statusCode).toBe(200);
      const rows = await history(orderId);
      expect(rows.map((r) => r.to_status)).toEqual(['pending', 'confirmed', 'processing', 'shipped', 'delivered']);
      expect(rows[1]?.changed_by).toBe(`admin:${admin.id}`);
      expect(rows.at(-1)?.changed_by).toBe(`admin:${admin.id}`);
      const [o] = await api.app.db.query<RowDataPacket[]>('SELECT admin_notes, tracking_number FROM orders WHERE id = ?', [orderId]);
      expect(o[0]).toEqual({ admin_notes: 'Payment verified', tracking_number: 'LBC-123' });
    });

    it('confirming twice answers 409 with the current status', async () => {
      const { orderId } = await placeOrder();
      await act(orderId, 'confirm');
      const again = await act(orderId, 'confirm');
      expect(again.statusCode).toBe(409);
      expect(again.json()).toMatchObject({ success: false, code: 'INVALID_TRANSITION', current_status: 'confirmed' });
    });

    it('cancel releases the reservation; cancelling a delivered order is 409', async () => {
      const { orderId, productId } = await placeOrder({ quantity: 4 });
      const res = await act(orderId, 'cancel', { reason: 'Customer changed mind' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ success: true, order_status: 'cancelled' });
      const [p] = await api.app.db.query<RowDataPacket[]>('SELECT reserved_quantity FROM products WHERE id = ?', [productId]);
      expect(p[0]?.reserved_quantity).toBe(0);
      const { orderId: delivered } = await placeOrder();
      await act(delivered, 'confirm');
      await act(delivered, 'ship');
      await act(delivered, 'deliver');
      const late = await act(delivered, 'cancel', { reason: 'too late' });
      expect(late.statusCode).toBe(409);
      expect(late.json()).toMatchObject({ code: 'INVALID_TRANSITION', current_status: 'delivered' });
    });

    it('actions on an unknown order answer 404', async () => {
      for (const action of ['confirm', 'cancel', 'ship', 'deliver']) {
        const res = await act(999_999_998, action);
        expect(res.statusCode, action).toBe(404);
        expect(res.json()).toMatchObject({ success: false, code: 'ORDER_NOT_FOUND' });
      }
    });

    it('takes HTML form posts for confirm and cancel, validated by the same schemas', async () => {
      const { orderId } = await placeOrder();
      const form = { 'content-type': 'application/x-www-form-urlencoded' };
      const res = await api.request({ method: 'POST', url: `/api/orders/${orderId}/confirm`, body: 'notes=GCash+ref+%E2%82%B1100', headers: form });
      expect(res.statusCode).toBe(200);
      const [o] = await api.app.db.query<RowDataPacket[]>('SELECT admin_notes FROM orders WHERE id = ?', [orderId]);
      expect(o[0]?.admin_notes).toBe('GCash ref ₱100');
    });
  });

  describe('when the database fails under a request', () => {
    it('answers 500 with no stack and no SQL in the body', async () => {
      const broken = await startTestApi();
      await broken.app.db.end();
      const res = await broken.request({ url: '/api/orders/1' });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({ success: false, error: 'Internal server error', code: 'INTERNAL_ERROR' });
      // close() ends the pool last; it is already ended here, so only that final step may complain
      await broken.close().catch(() => undefined);
    });
  });
});

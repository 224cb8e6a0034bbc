import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RowDataPacket } from 'mysql2/promise';
import { makeProduct, makeUser, seedOrderPayload } from '../../helpers/factories.js';
import { startTestApi, type TestApi } from '../http/http-test-app.js';
import { Chat, startHarness, type Harness } from '../bot/bot-harness.js';
import { addByName, answerAddress, ordersOf } from '../bot/shopper.js';

/**
 * Findings 5 and 6 of the security audit: MAX_ITEM_QUANTITY counted after duplicate lines are merged,
 * and money that would not fit the DECIMAL(12,2) columns refused in validation (OUT_OF_RANGE), not a 500.
 */
function orderBody(userId: number, items: { product_id: number; quantity: number }[]) {
  const { subtotal: _s, shipping_fee: _f, discount_amount: _d, total_amount: _t, ...rest } = seedOrderPayload(userId, 1);
  return { ...rest, items };
}
const ordersOfUser = async (api: TestApi, userId: number) =>
  (await api.app.db.query<RowDataPacket[]>('SELECT id FROM orders WHERE user_id = ?', [userId]))[0];

describe('order limits through the API and the engine', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ MAX_ITEM_QUANTITY: '100', MAX_ORDER_LINES: '50' });
  });
  afterAll(async () => api?.close());

  describe('when one product is ordered in many duplicate lines', () => {
    it('refuses 50 lines of 100 units (5,000 in all, limit 100) with OUT_OF_RANGE, and writes nothing', async () => {
      const userId = await makeUser(api.app.db);
      const productId = await makeProduct(api.app.db, { stock: 10_000, price: '1.00' });
      const items = Array.from({ length: 50 }, () => ({ product_id: productId, quantity: 100 }));
      const res = await api.request({ method: 'POST', url: '/api/orders', body: orderBody(userId, items) });
      expect(res.statusCode).toBe(400);
      expect(res.json().validation_errors).toEqual([expect.objectContaining({ field: 'items.0.quantity', code: 'OUT_OF_RANGE' })]);
      expect(res.json().validation_errors[0].message).toMatch(/at most 100 .*add up to 5000/);
      expect(await ordersOfUser(api, userId)).toEqual([]);
    });

    it('takes duplicate lines that add up to the limit, and refuses the engine call one unit over', async () => {
      const userId = await makeUser(api.app.db);
      const productId = await makeProduct(api.app.db, { stock: 1000, price: '1.00' });
      const over = await api.app.orders.createOrder(orderBody(userId, [{ product_id: productId, quantity: 60 }, { product_id: productId, quantity: 41 }]));
      expect(over).toMatchObject({ success: false, validation_errors: [{ field: 'items.0.quantity', code: 'OUT_OF_RANGE' }] });
      const ok = await api.app.orders.createOrder(orderBody(userId, [{ product_id: productId, quantity: 60 }, { product_id: productId, quantity: 40 }]));
      expect(ok).toMatchObject({ success: true });
    });

    it('still caps the number of lines (MAX_ORDER_LINES)', async () => {
      const userId = await makeUser(api.app.db);
      const items = Array.from({ length: 51 }, (_, i) => ({ product_id: i + 1, quantity: 1 }));
      const res = await api.request({ method: 'POST', url: '/api/orders', body: orderBody(userId, items) });
      expect(res.statusCode).toBe(400);
      expect(res.json().validation_errors).toEqual([expect.objectContaining({ field: 'items', code: 'OUT_OF_RANGE' })]);
    });
  });

  describe('when the money would not fit the order columns', () => {
    it('answers 400 OUT_OF_RANGE (not 500) for ₱100,000,000 × 100, and writes nothing', async () => {
      const userId = await makeUser(api.app.db);
      const productId = await makeProduct(api.app.db, { stock: 1000, price: '100000000.00' });
      const res = await api.request({ method: 'POST', url: '/api/orders', body: orderBody(userId, [{ product_id: productId, quantity: 100 }]) });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'OUT_OF_RANGE', validation_errors: [{ field: 'items.0.quantity', code: 'OUT_OF_RANGE' }] });
      expect(await ordersOfUser(api, userId)).toEqual([]);
    });

    it('refuses an order whose lines fit one by one but whose total does not', async () => {
      const userId = await makeUser(api.app.db);
      const items = [];
      for (let i = 0; i < 11; i++) items.push({ product_id: await makeProduct(api.app.db, { stock: 10, price: '100000000.00' }), quantity: 1 });
      const r = await api.app.orders.createOrder(orderBody(userId, items));
      expect(r).toMatchObject({ success: false, code: 'OUT_OF_RANGE', validation_errors: [{ field: 'items', code: 'OUT_OF_RANGE' }] });
    });

    it.each([
      ['a price over ₱100,000,000', 100_000_000.01],
      ['a price of 11 digits', '12345678901'],
      ['a huge number', 1e300],
    ])('refuses a product with %s (OUT_OF_RANGE), on create and on update', async (_what, price) => {
      const name = `Pricey ${randomUUID().slice(0, 8)}`;
      const created = await api.request({ method: 'POST', url: '/api/products', body: { name, price, stock_quantity: 1 } });
      expect(created.statusCode).toBe(400);
      expect(created.json().validation_errors).toEqual([expect.objectContaining({ field: 'price', code: 'OUT_OF_RANGE' })]);
      const id = await makeProduct(api.app.db);
      const patched = await api.request({ method: 'PATCH', url: `/api/products/${id}`, body: { price } });
      expect(patched.statusCode).toBe(400);
      expect(patched.json().validation_errors).toEqual([expect.objectContaining({ field: 'price', code: 'OUT_OF_RANGE' })]);
    });

    it('refuses client totals over the order maximum as OUT_OF_RANGE', async () => {
      const userId = await makeUser(api.app.db);
      const productId = await makeProduct(api.app.db);
      const res = await api.request({ method: 'POST', url: '/api/orders', body: { ...orderBody(userId, [{ product_id: productId, quantity: 1 }]), total_amount: 9_999_999_999.99 } });
      expect(res.statusCode).toBe(400);
      expect(res.json().validation_errors).toEqual([expect.objectContaining({ field: 'total_amount', code: 'OUT_OF_RANGE' })]);
    });
  });
});

describe('order limits in the chat', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.close());

  it('tells the shopper the cart is too big for one order instead of apologising for an error', async () => {
    const name = `Gold bar ${randomUUID().slice(0, 8)}`;
    const productId = await makeProduct(h.app.db, { name, stock: 1000, price: '100000000.00' });
    const chat = new Chat(h);
    await addByName(chat, name, 1);
    // what many "add" taps over time would make: 100 units at ₱100,000,000 (within MAX_ITEM_QUANTITY)
    await h.app.db.query(
      `UPDATE cart_items ci JOIN carts c ON c.id = ci.cart_id JOIN users u ON u.id = c.user_id
          SET ci.quantity = 100 WHERE u.psid = ? AND ci.product_id = ?`,
      [chat.psid, productId],
    );
    // the summary quotes the order with createOrder's own checks, so the limit is named there, before Place order
    await chat.postback('CHECKOUT', 'Checkout');
    await answerAddress(chat);
    await chat.tap(/Cash on delivery/);
    await chat.tap(/No promo code/);
    expect(chat.texts().join('\n')).toMatch(/more than one order can hold \(₱1,000,000,000\.00\).*change the quantity in your cart/);
    expect(() => chat.find(/Place order/)).toThrow(/no choice/);
    expect(chat.texts().join('\n')).not.toMatch(/something went wrong/);
    expect(await ordersOf(chat)).toEqual([]);
  });
});

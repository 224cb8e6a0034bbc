import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeProduct, makeUser, seedOrderPayload } from '../../helpers/factories.js';
import { engineFixture, inventoryOf, rows, type EngineFixture } from './engine-fixture.js';

let f: EngineFixture;
beforeAll(() => {
  f = engineFixture();
});
afterEach(() => {
  f.fault.hook = null;
});
afterAll(() => f.close());

const failAt = (step: string) => (s: string) => {
  if (s === step) throw new Error(`injected fault at ${step}`);
};

describe('a fault between two writes of createOrder', () => {
  for (const step of ['after_order_insert', 'after_reserve', 'after_items', 'after_outbox']) {
    it(`at ${step} rolls everything back and leaves only an order_errors row`, async () => {
      const productId = await makeProduct(f.db, { stock: 10, price: '1000.00' });
      const userId = await makeUser(f.db, { psid: `p-${step}-${Date.now()}` });
      f.fault.hook = failAt(step);
      await expect(f.orders.createOrder(seedOrderPayload(userId, productId))).rejects.toThrow(`injected fault at ${step}`);
      expect(await rows(f.db, 'SELECT id FROM orders WHERE user_id = ?', [userId])).toEqual([]);
      expect(await rows(f.db, 'SELECT id FROM inventory_reservations WHERE product_id = ?', [productId])).toEqual([]);
      expect(await rows(f.db, 'SELECT id FROM order_items WHERE product_id = ?', [productId])).toEqual([]);
      expect(await inventoryOf(f.db, productId)).toEqual({ stock: 10, reserved: 0, held: 0 });
      const errors = await rows(f.db, 'SELECT operation, error_message FROM order_errors WHERE user_id = ?', [userId]);
      expect(errors).toEqual([{ operation: 'create', error_message: `injected fault at ${step}` }]);
    });
  }
});

describe('a fault in the middle of confirmOrder', () => {
  it('leaves the order pending with its reservation held, and counts the error on the order', async () => {
    const productId = await makeProduct(f.db, { stock: 10, price: '1000.00' });
    const created = await f.orders.createOrder(seedOrderPayload(await makeUser(f.db), productId));
    if (!created.success) throw new Error(created.error);
    const id = created.order.id;
    f.fault.hook = failAt('confirm_after_inventory');
    await expect(f.orders.confirmOrder(id, 'ok', 'admin:Ana')).rejects.toThrow('injected fault');
    const [o] = await rows(f.db, 'SELECT order_status, error_count, confirmed_by FROM orders WHERE id = ?', [id]);
    expect(o).toEqual({ order_status: 'pending', error_count: 1, confirmed_by: null });
    expect(await inventoryOf(f.db, productId)).toEqual({ stock: 10, reserved: 2, held: 2 });
    expect(await rows(f.db, 'SELECT to_status FROM order_state_history WHERE order_id = ?', [id])).toEqual([{ to_status: 'pending' }]);
    const [e] = await rows(f.db, 'SELECT * FROM order_errors WHERE order_id = ? ORDER BY created_at DESC', [id]);
    expect(e).toMatchObject({ operation: 'confirm', is_resolved: 0 });
    f.fault.hook = null;
    expect(await f.orders.confirmOrder(id, 'ok', 'admin:Ana')).toMatchObject({ success: true });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProduct, makeUser, seedOrderPayload } from '../../helpers/factories.js';
import { engineFixture, inventoryOf, rows, type EngineFixture } from './engine-fixture.js';

let f: EngineFixture;
beforeAll(() => {
  // 100 calls at once: enough connections that they run concurrently (the rest wait for one), few
  // enough to leave MariaDB's max_connections (151) to the other test files running beside this one
  f = engineFixture({ DB_POOL_SIZE: '30' });
});
afterAll(() => f.close());

/** one-unit orders with client totals for a ₱1,000 product shipped to Metro Manila */
const oneUnit = (userId: number, productId: number) => ({ ...seedOrderPayload(userId, productId, 1), subtotal: 1000, total_amount: 1100 });

describe('when 100 buyers race for 10 units', () => {
  it('exactly 10 orders succeed, the rest get INSUFFICIENT_STOCK, and the inventory invariant holds', async () => {
    const productId = await makeProduct(f.db, { stock: 10, price: '1000.00' });
    const users = await Promise.all(Array.from({ length: 100 }, () => makeUser(f.db, { psid: null })));
    const results = await Promise.all(users.map((u) => f.orders.createOrder(oneUnit(u, productId))));
    const ok = results.filter((r) => r.success);
    const failed = results.filter((r) => !r.success);
    expect(ok).toHaveLength(10);
    expect(failed).toHaveLength(90);
    expect(new Set(failed.map((r) => (r.success ? '' : r.code)))).toEqual(new Set(['INSUFFICIENT_STOCK']));
    expect(await inventoryOf(f.db, productId)).toEqual({ stock: 10, reserved: 10, held: 10 });
    const numbers = ok.map((r) => (r.success ? r.order.order_number : ''));
    expect(new Set(numbers).size).toBe(10);
    const [orphans] = await rows(f.db, `SELECT COUNT(*) AS n FROM orders o JOIN order_items oi ON oi.order_id = o.id WHERE oi.product_id = ?`, [productId]);
    expect(Number(orphans!.n)).toBe(10);
  });
});

describe('when two admins confirm and cancel the same order at once', () => {
  it('exactly one wins, the loser is told who did it, and the stock is restored at most once', async () => {
    for (let round = 0; round < 10; round++) {
      const productId = await makeProduct(f.db, { stock: 4, price: '1000.00' });
      const userId = await makeUser(f.db);
      const created = await f.orders.createOrder(seedOrderPayload(userId, productId));
      if (!created.success) throw new Error(created.error);
      const id = created.order.id;
      const [confirm, cancel] = await Promise.all([
        f.orders.confirmOrder(id, undefined, 'admin:Ana'),
        // the Cancel tapped on the new-order alert: cancel the order as seen, pending
        f.orders.cancelOrder(id, 'Suspicious', 'admin:Ben', 'pending'),
      ]);
      expect([confirm.success, cancel.success].filter(Boolean)).toHaveLength(1);
      const loser = confirm.success ? cancel : confirm;
      expect(loser).toMatchObject({ success: false, code: 'INVALID_TRANSITION', changed_by: confirm.success ? 'admin:Ana' : 'admin:Ben' });
      const inv = await inventoryOf(f.db, productId);
      // confirmed: 2 left the shelf; cancelled: everything back, released exactly once
      expect(inv).toEqual(confirm.success ? { stock: 2, reserved: 0, held: 0 } : { stock: 4, reserved: 0, held: 0 });
    }
  });

  it('cancel then confirm fails cleanly and the stock comes back exactly once', async () => {
    const productId = await makeProduct(f.db, { stock: 3, price: '1000.00' });
    const created = await f.orders.createOrder(seedOrderPayload(await makeUser(f.db), productId));
    if (!created.success) throw new Error(created.error);
    await f.orders.cancelOrder(created.order.id, 'changed mind', 'customer:x');
    await f.orders.cancelOrder(created.order.id, 'again', 'customer:x');
    expect(await f.orders.confirmOrder(created.order.id)).toMatchObject({ success: false, code: 'INVALID_TRANSITION', current_status: 'cancelled' });
    expect(await inventoryOf(f.db, productId)).toEqual({ stock: 3, reserved: 0, held: 0 });
  });
});

describe('when the same cart is placed twice at once', () => {
  it('creates one order and replays it for the second call', async () => {
    const productId = await makeProduct(f.db, { stock: 10, price: '1000.00' });
    const userId = await makeUser(f.db);
    const [cart] = await f.db.query<import('mysql2').ResultSetHeader>('INSERT INTO carts (user_id) VALUES (?)', [userId]);
    const payload = seedOrderPayload(userId, productId);
    const [a, b] = await Promise.all([
      f.orders.createOrder(payload, { cart_id: cart.insertId }),
      f.orders.createOrder(payload, { cart_id: cart.insertId }),
    ]);
    expect(a.success && b.success).toBe(true);
    if (!a.success || !b.success) return;
    expect(a.order.id).toBe(b.order.id);
    expect([a.replayed, b.replayed].filter(Boolean)).toHaveLength(1);
    expect(await inventoryOf(f.db, productId)).toEqual({ stock: 10, reserved: 2, held: 2 });
    const [c] = await rows(f.db, 'SELECT status FROM carts WHERE id = ?', [cart.insertId]);
    expect(c!.status).toBe('checked_out');
  });
});

describe('when 20 buyers race for a promo code limited to 5 uses', () => {
  it('exactly 5 orders get the discount, the rest are told the code is used up, and times_used is 5', async () => {
    const code = `RACE${Date.now()}`;
    await f.db.query(`INSERT INTO promo_codes (code, discount_type, discount_value, usage_limit) VALUES (?, 'fixed', 100, 5)`, [code]);
    const productId = await makeProduct(f.db, { stock: 100, price: '1000.00' });
    const users = await Promise.all(Array.from({ length: 20 }, () => makeUser(f.db)));
    const results = await Promise.all(
      users.map((u) => f.orders.createOrder({ ...seedOrderPayload(u, productId), promo_code: code, discount_amount: 100, total_amount: 2000 })),
    );
    expect(results.filter((r) => r.success)).toHaveLength(5);
    expect(results.filter((r) => !r.success).every((r) => !r.success && r.code === 'INVALID_PROMO')).toBe(true);
    expect(await rows(f.db, 'SELECT times_used FROM promo_codes WHERE code = ?', [code])).toEqual([{ times_used: 5 }]);
    expect(await inventoryOf(f.db, productId)).toEqual({ stock: 100, reserved: 10, held: 10 });
  });
});

describe('when one customer places 5 orders at once with a once-per-customer promo', () => {
  it('exactly one order gets it', async () => {
    const code = `ONCE${Date.now()}`;
    await f.db.query(`INSERT INTO promo_codes (code, discount_type, discount_value, per_user_limit) VALUES (?, 'percent', 10, 1)`, [code]);
    const productId = await makeProduct(f.db, { stock: 100, price: '1000.00' });
    const userId = await makeUser(f.db);
    const results = await Promise.all(
      Array.from({ length: 5 }, () => f.orders.createOrder({ ...seedOrderPayload(userId, productId), promo_code: code, discount_amount: 200, total_amount: 1900 })),
    );
    expect(results.filter((r) => r.success)).toHaveLength(1);
    for (const r of results.filter((x) => !x.success)) {
      expect(r).toMatchObject({ code: 'INVALID_PROMO', validation_errors: [{ message: expect.stringContaining('maximum number of times') }] });
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { makeProduct, makeUser, seedOrderPayload } from '../../helpers/factories.js';
import { engineFixture, rows, type EngineFixture } from './engine-fixture.js';

/** A number source that repeats itself: the second order's first candidate is taken. */
const prefix = `ORD-T${randomUUID().slice(0, 6)}`;
const candidates = [`${prefix}-1`, `${prefix}-1`, `${prefix}-1`, `${prefix}-2`];
let f: EngineFixture;
beforeAll(() => {
  f = engineFixture({}, { orderNumbers: () => candidates.shift() ?? `${prefix}-x${randomUUID()}` });
});
afterAll(() => f.close());

describe('when an order number is already taken', () => {
  it('retries with another number inside the same transaction, and nothing is duplicated', async () => {
    const productId = await makeProduct(f.db, { stock: 10 });
    const a = await f.orders.createOrder(seedOrderPayload(await makeUser(f.db), productId));
    const b = await f.orders.createOrder(seedOrderPayload(await makeUser(f.db), productId));
    expect(a).toMatchObject({ success: true, order: { order_number: `${prefix}-1` } });
    expect(b).toMatchObject({ success: true, order: { order_number: `${prefix}-2` } });
    expect(await rows(f.db, 'SELECT COUNT(*) AS n FROM inventory_reservations WHERE product_id = ?', [productId])).toEqual([{ n: 2 }]);
    if (!b.success) return;
    expect(await rows(f.db, 'SELECT COUNT(*) AS n FROM order_state_history WHERE order_id = ?', [b.order.id])).toEqual([{ n: 1 }]);
  });
});

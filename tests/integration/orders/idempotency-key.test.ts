import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreateOrderResult } from '../../../src/orders/index.js';
import { makeProduct, makeUser, seedOrderPayload } from '../../helpers/factories.js';
import { engineFixture, inventoryOf, rows, type EngineFixture } from './engine-fixture.js';

/** createOrder's context.idempotency_key: one key is at most one order, written in the order's own transaction. */
let f: EngineFixture;
beforeAll(() => {
  f = engineFixture();
});
afterAll(() => f.close());

const newKey = () => createHash('sha256').update(randomUUID()).digest('hex');
const ordersWithKey = async (key: string) => (await rows(f.db, 'SELECT id FROM orders WHERE idempotency_key = ?', [key])).map((r) => Number(r.id));
const ordersOf = async (userId: number) => (await rows(f.db, 'SELECT id FROM orders WHERE user_id = ?', [userId])).map((r) => Number(r.id));

function created(r: CreateOrderResult) {
  if (!r.success) throw new Error(`expected an order, got ${r.code}: ${r.error}`);
  return r;
}

async function fixture(stock = 10) {
  const productId = await makeProduct(f.db, { stock, price: '1000.00' });
  const userId = await makeUser(f.db);
  return { productId, userId, payload: seedOrderPayload(userId, productId) };
}

describe('createOrder with an idempotency_key', () => {
  it('called twice with the same key creates one order and replays it (same id and number) the second time', async () => {
    const { productId, userId, payload } = await fixture();
    const key = newKey();
    const outboxRows = async (orderId: number) =>
      Number((await rows(f.db, 'SELECT (SELECT COUNT(*) FROM notification_queue WHERE order_id = ?) + (SELECT COUNT(*) FROM order_processing_queue WHERE order_id = ?) AS n', [orderId, orderId]))[0]!.n);
    const first = created(await f.orders.createOrder(payload, { idempotency_key: key }));
    const queuedByFirst = await outboxRows(first.order.id);
    const second = created(await f.orders.createOrder(payload, { idempotency_key: key }));
    expect(first.replayed).toBeUndefined();
    expect(second).toMatchObject({ replayed: true, order: { id: first.order.id, order_number: first.order.order_number, order_status: 'pending' } });
    expect(second.order.total_amount).toBe(first.order.total_amount);
    expect(await ordersWithKey(key)).toEqual([first.order.id]);
    expect(await ordersOf(userId)).toEqual([first.order.id]);
    // stock reserved and outbox rows queued once: the replay wrote nothing
    expect(await inventoryOf(f.db, productId)).toEqual({ stock: 10, reserved: 2, held: 2 });
    expect(queuedByFirst).toBeGreaterThanOrEqual(2);
    expect(await outboxRows(first.order.id)).toBe(queuedByFirst);
  });

  it('called five times at once with the same key creates one order, and the four others replay it', async () => {
    const { productId, userId, payload } = await fixture();
    const key = newKey();
    const results = (await Promise.all(Array.from({ length: 5 }, () => f.orders.createOrder(payload, { idempotency_key: key })))).map(created);
    const ids = new Set(results.map((r) => r.order.id));
    const numbers = new Set(results.map((r) => r.order.order_number));
    expect(ids.size).toBe(1);
    expect(numbers.size).toBe(1);
    expect(results.filter((r) => r.replayed)).toHaveLength(4);
    expect(await ordersOf(userId)).toEqual([...ids]);
    expect(await inventoryOf(f.db, productId)).toEqual({ stock: 10, reserved: 2, held: 2 });
  });

  it('different keys are different orders', async () => {
    const { userId, payload } = await fixture();
    const a = created(await f.orders.createOrder(payload, { idempotency_key: newKey() }));
    const b = created(await f.orders.createOrder(payload, { idempotency_key: newKey() }));
    expect(b.order.id).not.toBe(a.order.id);
    expect(b.replayed).toBeUndefined();
    expect((await ordersOf(userId)).sort()).toEqual([a.order.id, b.order.id].sort());
  });

  it('a refused order does not use up its key: once stock is back, the same key creates the order', async () => {
    const { productId, userId, payload } = await fixture(1);
    const key = newKey();
    expect(await f.orders.createOrder(payload, { idempotency_key: key })).toMatchObject({ success: false, code: 'INSUFFICIENT_STOCK' });
    await f.db.query('UPDATE products SET stock_quantity = 10 WHERE id = ?', [productId]);
    const retry = created(await f.orders.createOrder(payload, { idempotency_key: key }));
    expect(retry.replayed).toBeUndefined();
    expect(await ordersOf(userId)).toEqual([retry.order.id]);
  });

  it('a cart and a key together: the cart replay still answers, and the key is on the order', async () => {
    const { userId, payload } = await fixture();
    const [cart] = await f.db.query<import('mysql2').ResultSetHeader>('INSERT INTO carts (user_id) VALUES (?)', [userId]);
    const key = newKey();
    const first = created(await f.orders.createOrder(payload, { cart_id: cart.insertId, idempotency_key: key }));
    const again = created(await f.orders.createOrder(payload, { cart_id: cart.insertId }));
    expect(again).toMatchObject({ replayed: true, message: 'This cart was already ordered', order: { id: first.order.id } });
    const byKey = created(await f.orders.createOrder(payload, { idempotency_key: key }));
    expect(byKey).toMatchObject({ replayed: true, message: 'This order was already placed', order: { id: first.order.id } });
    expect(await ordersWithKey(key)).toEqual([first.order.id]);
  });

  it('refuses a key that is not 1-64 printable ASCII characters (a caller bug) and writes nothing', async () => {
    const { userId, payload } = await fixture();
    for (const bad of ['', 'x'.repeat(65), 'has space', 'ключ']) {
      await expect(f.orders.createOrder(payload, { idempotency_key: bad })).rejects.toThrow(/idempotency_key/);
    }
    expect(await ordersOf(userId)).toEqual([]);
  });
});

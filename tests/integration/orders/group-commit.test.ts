import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createBatchPool, createPool, type Db } from '../../../src/db/pool.js';
import { createOrderService, type OrderService, type OutboxRows } from '../../../src/orders/index.js';
import { makeProduct, makeUser, seedOrderPayload } from '../../helpers/factories.js';
import { testConfig } from '../../helpers/test-config.js';
import { inventoryOf, rows } from './engine-fixture.js';

/**
 * createOrder's group commit (src/orders/group-commit.ts): concurrent orders are written as one
 * transaction, each behind its own savepoint. An order that fails inside a group must not fail its
 * neighbours, and is written again on its own with the outcome it would have had alone.
 */
let db: Db;
let batchDb: Db;
let orders: OrderService;
const published: OutboxRows[] = [];
const logLines: string[] = [];
let faultsLeft = 0;

beforeAll(() => {
  const config = testConfig({ DB_POOL_SIZE: '20' });
  db = createPool({ url: config.DATABASE_URL, timeZone: config.SHOP_TIMEZONE, connectionLimit: config.DB_POOL_SIZE });
  batchDb = createBatchPool({ url: config.DATABASE_URL, timeZone: config.SHOP_TIMEZONE, connectionLimit: config.DB_POOL_SIZE });
  const capture = new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  orders = createOrderService({
    db,
    batchDb,
    config,
    logger: pino({ level: 'debug' }, capture),
    outbox: { publish: async (r) => void published.push(r) },
    // fails the first `faultsLeft` order writes that reach their reservation, once each
    faultHook: async (step) => {
      if (step === 'after_reserve' && faultsLeft > 0) {
        faultsLeft -= 1;
        throw new Error('injected fault in a group');
      }
    },
  });
});
afterAll(async () => void (await Promise.all([db.end(), batchDb.end()])));

const oneUnit = (userId: number, productId: number) => ({ ...seedOrderPayload(userId, productId, 1), subtotal: 1000, total_amount: 1100 });

describe('when orders are written together in one group', () => {
  it('an order that fails in the group is written again alone and its neighbours commit', async () => {
    const productId = await makeProduct(db, { stock: 100, price: '1000.00' });
    // with a PSID: a receipt row and an admin row per order
    const users = await Promise.all(Array.from({ length: 12 }, () => makeUser(db, { psid: `group-${randomUUID()}` })));
    logLines.length = 0;
    faultsLeft = 1;
    const results = await Promise.all(users.map((u) => orders.createOrder(oneUnit(u, productId))));
    expect(results.every((r) => r.success)).toBe(true);
    // the faulted order really was rolled back inside a group (not written alone from the start)
    expect(logLines.some((l) => l.includes('rolled back in its group'))).toBe(true);
    const ids = results.map((r) => (r.success ? r.order.id : 0));
    expect(new Set(ids).size).toBe(12);
    const [counts] = await rows(
      db,
      `SELECT COUNT(DISTINCT o.id) AS orders, COUNT(DISTINCT oi.id) AS items, COUNT(DISTINCT r.id) AS reservations,
         (SELECT COUNT(*) FROM notification_queue n WHERE n.order_id IN (?)) AS notifications,
         (SELECT COUNT(*) FROM order_processing_queue p WHERE p.order_id IN (?)) AS processing,
         (SELECT COUNT(*) FROM order_metrics m WHERE m.order_id IN (?)) AS metrics,
         (SELECT COUNT(*) FROM order_state_history h WHERE h.order_id IN (?)) AS history
       FROM orders o JOIN order_items oi ON oi.order_id = o.id JOIN inventory_reservations r ON r.order_id = o.id
       WHERE oi.product_id = ?`,
      [ids, ids, ids, ids, productId],
    );
    // exactly one of everything per order: nothing of the rolled-back attempt survived
    expect(counts).toMatchObject({ orders: 12, items: 12, reservations: 12, notifications: 24, processing: 12, metrics: 12, history: 12 });
    expect(await inventoryOf(db, productId)).toEqual({ stock: 100, reserved: 12, held: 12 });
    // every order's outbox rows were published with the ids the group read back
    const publishedIds = new Set(published.flatMap((p) => [...p.notificationIds, ...(p.broadcastIds ?? [])]));
    const [queued] = await rows(db, 'SELECT GROUP_CONCAT(id) AS ids FROM notification_queue WHERE order_id IN (?)', [ids]);
    for (const id of String(queued!.ids).split(',')) expect(publishedIds.has(Number(id))).toBe(true);
  });

  it('when stock runs out mid-group, the orders that fit commit and the rest get INSUFFICIENT_STOCK', async () => {
    const scarce = await makeProduct(db, { stock: 3, price: '1000.00' });
    const plenty = await makeProduct(db, { stock: 100, price: '1000.00' });
    const users = await Promise.all(Array.from({ length: 16 }, () => makeUser(db, { psid: null })));
    // interleaved: each group holds orders for both products
    const results = await Promise.all(users.map((u, i) => orders.createOrder(oneUnit(u, i % 2 ? scarce : plenty))));
    const forScarce = results.filter((_, i) => i % 2);
    const forPlenty = results.filter((_, i) => i % 2 === 0);
    expect(forScarce.filter((r) => r.success)).toHaveLength(3);
    expect(new Set(forScarce.filter((r) => !r.success).map((r) => (r.success ? '' : r.code)))).toEqual(new Set(['INSUFFICIENT_STOCK']));
    expect(forPlenty.every((r) => r.success)).toBe(true);
    expect(await inventoryOf(db, scarce)).toEqual({ stock: 3, reserved: 3, held: 3 });
    expect(await inventoryOf(db, plenty)).toEqual({ stock: 100, reserved: 8, held: 8 });
  });
});

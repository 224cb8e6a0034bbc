import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProduct, makeUser, seedOrderPayload } from '../../helpers/factories.js';
import { formatMoney } from '../../../src/orders/index.js';
import { engineFixture, rows, type EngineFixture } from './engine-fixture.js';

/**
 * The seed's quick start, Test 1–5, and every SQL query it prints (monitoring, troubleshooting,
 * dashboard), run unchanged. The seed's literal ids (order 5, product 1) are our rows' ids, bound as ?.
 */
let f: EngineFixture;
let productId: number;
let orderId: number;
let orderNumber: string;
beforeAll(async () => {
  f = engineFixture();
  productId = await makeProduct(f.db, { stock: 10, price: '1000.00', threshold: 3 });
  const userId = await makeUser(f.db, { psid: `seed-${Date.now()}` });
  const result = await f.orders.createOrder(seedOrderPayload(userId, productId));
  if (!result.success) throw new Error(result.error);
  orderId = result.order.id;
  orderNumber = result.order.order_number;
});
afterAll(() => f.close());

describe('the seed quick start, step 1: verify it worked', () => {
  it("SHOW TABLES LIKE '%queue%' / '%history%' / '%reservation%' list the new tables", async () => {
    const names = async (sql: string) => (await rows(f.db, sql)).map((r) => Object.values(r)[0]);
    expect(await names("SHOW TABLES LIKE '%queue%';")).toEqual(expect.arrayContaining(['notification_queue', 'order_processing_queue']));
    expect(await names("SHOW TABLES LIKE '%history%';")).toEqual(['order_state_history']);
    expect(await names("SHOW TABLES LIKE '%reservation%';")).toEqual(['inventory_reservations']);
  });
});

describe('the seed quick start, step 5', () => {
  it('Test 1: the payload succeeds unchanged with the expected output shape, and the chat line reads ₱2,100.00', async () => {
    const order = await f.orders.getOrder(orderId);
    expect(order).toMatchObject({ order_number: orderNumber, order_status: 'pending', subtotal: '2000.00', shipping_fee: '100.00', total_amount: '2100.00' });
    expect(`✅ Order ${orderNumber} received! Total: ${formatMoney(order!.total_amount, 'PHP')}`).toBe(`✅ Order ${orderNumber} received! Total: ₱2,100.00`);
  });

  it('Test 2: the reservation exists and the stock is held (on hand stays, available drops by 2)', async () => {
    const reservations = await rows(f.db, 'SELECT * FROM inventory_reservations WHERE order_id = ?;', [orderId]);
    expect(reservations).toHaveLength(1);
    expect(reservations[0]).toMatchObject({ product_id: productId, quantity: 2, status: 'reserved' });
    expect(reservations[0]!.expires_at).toBeInstanceOf(Date);
    expect(await rows(f.db, 'SELECT stock_quantity FROM products WHERE id = ?;', [productId])).toEqual([{ stock_quantity: 10 }]);
    const [status] = await rows(f.db, 'SELECT available_quantity, stock_status FROM vw_inventory_status WHERE id = ?', [productId]);
    expect(status).toEqual({ available_quantity: 8, stock_status: 'IN_STOCK' });
  });

  it('Test 3: the state history shows the order being created', async () => {
    const history = await rows(f.db, 'SELECT * FROM order_state_history WHERE order_id = ?;', [orderId]);
    expect(history).toMatchObject([{ from_status: null, to_status: 'pending', changed_by: 'api' }]);
  });

  it('Test 4 and 5: confirm with "Payment verified", then the queues hold fulfilment and the messages', async () => {
    expect(await f.orders.confirmOrder(orderId, 'Payment verified')).toMatchObject({ success: true, order_status: 'confirmed' });
    const queue = await rows(f.db, 'SELECT * FROM order_processing_queue WHERE order_id = ?;', [orderId]);
    expect(queue.map((r) => [r.queue_type, r.status])).toEqual([['reservation_expiry', 'pending'], ['fulfillment', 'pending']]);
    const notes = await rows(f.db, 'SELECT * FROM notification_queue WHERE order_id = ?;', [orderId]);
    expect(notes.map((n) => n.notification_type)).toEqual(['order_received', 'new_order_admin', 'order_confirmed']);
  });
});

describe("the seed's monitoring queries", () => {
  it('vw_pending_orders lists a pending order with its customer and age', async () => {
    const p2 = await makeProduct(f.db, { stock: 5, price: '1000.00' });
    const ok = await f.orders.createOrder(seedOrderPayload(await makeUser(f.db, { name: 'Pending Pia' }), p2));
    if (!ok.success) throw new Error(ok.error);
    const pending = await rows(f.db, 'SELECT * FROM vw_pending_orders;');
    expect(pending.find((r) => r.id === ok.order.id)).toMatchObject({ customer_name: 'Pending Pia', total_amount: '2100.00', items_count: '2' });
    expect(pending.every((r) => r.order_number)).toBe(true);
  });

  it("vw_inventory_status WHERE stock_status = 'LOW_STOCK' finds a product at its threshold", async () => {
    const low = await makeProduct(f.db, { stock: 3, threshold: 3 });
    const result = await rows(f.db, `SELECT * FROM vw_inventory_status 
WHERE stock_status = 'LOW_STOCK';`);
    expect(result.find((r) => r.id === low)).toMatchObject({ available_quantity: 3, stock_status: 'LOW_STOCK' });
    expect(result.every((r) => r.stock_status === 'LOW_STOCK')).toBe(true);
  });

  it('the unresolved order errors query returns the newest unresolved errors', async () => {
    f.fault.hook = (s) => {
      if (s === 'after_items') throw new Error('seed monitoring: injected');
    };
    const userId = await makeUser(f.db);
    await expect(f.orders.createOrder({ ...seedOrderPayload(userId, productId, 1), subtotal: 1000, total_amount: 1100 })).rejects.toThrow('injected');
    f.fault.hook = null;
    const errors = await rows(f.db, `SELECT * FROM order_errors 
WHERE is_resolved = FALSE 
ORDER BY created_at DESC 
LIMIT 10;`);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((e) => e.is_resolved === 0)).toBe(true);
    expect(errors.some((e) => e.user_id === userId && e.error_message === 'seed monitoring: injected')).toBe(true);
  });

  it('the processing metrics query averages the last 24 hours', async () => {
    const [m] = await rows(f.db, `SELECT 
    AVG(total_processing_duration_ms) as avg_time,
    MAX(total_processing_duration_ms) as max_time,
    COUNT(*) as total_orders
FROM order_metrics
WHERE created_at >= DATE_SUB(NOW(), INTERVAL 24 HOUR);`);
    expect(Number(m!.total_orders)).toBeGreaterThanOrEqual(2);
    expect(Number(m!.max_time)).toBeGreaterThanOrEqual(Number(m!.avg_time));
  });

  it('vw_daily_order_summary has a row for the shop’s today', async () => {
    const [today] = await rows(f.db, 'SELECT * FROM vw_daily_order_summary WHERE order_date = CURDATE()');
    expect(Number(today!.total_orders)).toBeGreaterThanOrEqual(2);
  });
});

describe("the seed's troubleshooting queries", () => {
  it('real-time inventory shows reserved and available for a product', async () => {
    const p = await makeProduct(f.db, { stock: 7, price: '1000.00' });
    const created = await f.orders.createOrder(seedOrderPayload(await makeUser(f.db), p));
    if (!created.success) throw new Error(created.error);
    const result = await rows(f.db, `SELECT p.name, p.stock_quantity, 
       COALESCE(SUM(ir.quantity), 0) as reserved,
       p.stock_quantity - COALESCE(SUM(ir.quantity), 0) as available
FROM products p
LEFT JOIN inventory_reservations ir ON p.id = ir.product_id 
    AND ir.status = 'reserved'
WHERE p.id = ?
GROUP BY p.id;`, [p]);
    expect(result).toEqual([expect.objectContaining({ stock_quantity: 7, reserved: '2', available: '5' })]);

    // a stuck reservation released by hand
    await f.db.query(`CALL sp_release_order_inventory(?, 'Manual cleanup');`, [created.order.id]);
    const after = await rows(f.db, 'SELECT reserved_quantity FROM products WHERE id = ?', [p]);
    expect(after).toEqual([{ reserved_quantity: 0 }]);
    const [r] = await rows(f.db, 'SELECT status, release_reason FROM inventory_reservations WHERE order_id = ?', [created.order.id]);
    expect(r).toEqual({ status: 'released', release_reason: 'Manual cleanup' });
  });

  it('the order errors query lists an order’s errors, newest first', async () => {
    const p = await makeProduct(f.db, { stock: 7, price: '1000.00' });
    const created = await f.orders.createOrder(seedOrderPayload(await makeUser(f.db), p));
    if (!created.success) throw new Error(created.error);
    f.fault.hook = (s) => {
      if (s === 'cancel_after_status') throw new Error('cancel: injected');
    };
    await expect(f.orders.cancelOrder(created.order.id, 'x', 'admin')).rejects.toThrow('injected');
    f.fault.hook = null;
    const errors = await rows(f.db, `SELECT * FROM order_errors 
WHERE order_id = ? 
ORDER BY created_at DESC;`, [created.order.id]);
    expect(errors).toMatchObject([{ operation: 'cancel', error_message: 'cancel: injected', is_resolved: 0 }]);
    expect(await rows(f.db, 'SELECT error_count FROM orders WHERE id = ?', [created.order.id])).toEqual([{ error_count: 1 }]);
  });
});

describe("the seed's dashboard queries (reportSummary runs them unchanged)", () => {
  it("returns today's performance, inventory alerts and the processing queue", async () => {
    await makeProduct(f.db, { stock: 2, threshold: 5, name: `Alert me ${Date.now()}` });
    const report = await f.orders.reportSummary();
    expect(report.today.total_orders).toBeGreaterThanOrEqual(3);
    expect(report.today.avg_processing_ms).toBeGreaterThanOrEqual(0);
    expect(report.today.total_errors).toBeGreaterThanOrEqual(1);
    const alert = report.inventory_alerts.find((a) => a.name.startsWith('Alert me'));
    expect(alert).toMatchObject({ stock_quantity: 2, low_stock_threshold: 5 });
    const stocks = report.inventory_alerts.map((a) => a.stock_quantity);
    expect(stocks).toEqual([...stocks].sort((a, b) => a - b));
    const expiry = report.processing_queue.find((r) => r.queue_type === 'reservation_expiry' && r.status === 'pending');
    expect(expiry!.count).toBeGreaterThanOrEqual(1);
  });
});

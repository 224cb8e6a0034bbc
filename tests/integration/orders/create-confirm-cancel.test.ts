import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProduct, makeUser, seedOrderPayload } from '../../helpers/factories.js';
import { pino } from 'pino';
import { createOrderService } from '../../../src/orders/index.js';
import { testConfig } from '../../helpers/test-config.js';
import { engineFixture, inventoryOf, rows, type EngineFixture } from './engine-fixture.js';

let f: EngineFixture;
beforeAll(() => {
  f = engineFixture();
});
afterAll(() => f.close());

async function placed(stock = 10, psid: string | null = `psid-${Math.random()}`) {
  const productId = await makeProduct(f.db, { stock, price: '1000.00' });
  const userId = await makeUser(f.db, { psid });
  const result = await f.orders.createOrder(seedOrderPayload(userId, productId));
  if (!result.success) throw new Error(`createOrder failed: ${result.error}`);
  return { productId, userId, orderId: result.order.id, result };
}

describe('createOrder with the seed Test 1 payload', () => {
  it('creates a pending ₱2,100 order with an ORD-YYYYMMDD-NNNNN number and no warnings', async () => {
    const { result } = await placed();
    expect(result).toMatchObject({ success: true, order: { order_status: 'pending', total_amount: 2100 }, warnings: [], message: 'Order created successfully' });
    if (!result.success) return;
    expect(result.order.order_number).toMatch(/^ORD-\d{8}-\d{5}$/);
  });

  it('reserves the stock, records history and queues the receipt, the admin alert and the expiry job', async () => {
    const { orderId, productId } = await placed(10);
    expect(await inventoryOf(f.db, productId)).toEqual({ stock: 10, reserved: 2, held: 2 });
    const history = await rows(f.db, 'SELECT from_status, to_status, changed_by FROM order_state_history WHERE order_id = ?', [orderId]);
    expect(history).toEqual([{ from_status: null, to_status: 'pending', changed_by: 'api' }]);
    const notes = await rows(f.db, 'SELECT id, recipient_type, recipient_psid, notification_type, payload FROM notification_queue WHERE order_id = ? ORDER BY id', [orderId]);
    expect(notes.map((n) => n.notification_type)).toEqual(['order_received', 'new_order_admin']);
    expect(notes[1]!.recipient_psid).toBeNull();
    const receipt = notes[0]!.payload as Record<string, unknown>;
    expect(receipt).toMatchObject({ order_id: orderId, subtotal: '2000.00', shipping_fee: '100.00', discount_amount: '0.00', total_amount: '2100.00', payment_method: 'cod' });
    expect(receipt.items).toEqual([expect.objectContaining({ product_id: productId, quantity: 2, unit_price: '1000.00' })]);
    const jobs = await rows(f.db, 'SELECT queue_type, scheduled_at FROM order_processing_queue WHERE order_id = ?', [orderId]);
    const [expiry] = await rows(f.db, 'SELECT payload FROM order_processing_queue WHERE order_id = ?', [orderId]);
    expect(expiry!.payload).toMatchObject({ order_id: orderId, order_number: expect.stringMatching(/^ORD-\d{8}-\d{5}$/) });
    const jobIds = await rows(f.db, 'SELECT id FROM order_processing_queue WHERE order_id = ?', [orderId]);
    const [order] = await rows(f.db, 'SELECT expires_at FROM orders WHERE id = ?', [orderId]);
    expect(jobs).toEqual([{ queue_type: 'reservation_expiry', scheduled_at: order!.expires_at }]);
    // exactly the committed rows are published (ids of the multi-row insert included)
    expect(f.published).toContainEqual({ notificationIds: [notes[0]!.id], broadcastIds: [notes[1]!.id], processingIds: [jobIds[0]!.id] });
    const [metric] = await rows(f.db, 'SELECT total_processing_duration_ms, items_count FROM order_metrics WHERE order_id = ?', [orderId]);
    expect(metric!.items_count).toBe(2);
  });

  it('queues no customer message for a user without a PSID', async () => {
    const { orderId } = await placed(10, null);
    const notes = await rows(f.db, 'SELECT notification_type FROM notification_queue WHERE order_id = ?', [orderId]);
    expect(notes.map((n) => n.notification_type)).toEqual(['new_order_admin']);
  });

  it('still succeeds when publishing the outbox fails (the relay publishes later)', async () => {
    f.failPublish.on = true;
    try {
      const { orderId } = await placed();
      const [o] = await rows(f.db, 'SELECT order_status FROM orders WHERE id = ?', [orderId]);
      expect(o!.order_status).toBe('pending');
    } finally {
      f.failPublish.on = false;
    }
  });
});

describe('confirmOrder', () => {
  it('commits the reservation, notes who confirmed and queues fulfilment and the customer message', async () => {
    const { orderId, productId } = await placed(10);
    const res = await f.orders.confirmOrder(orderId, 'Payment verified', 'admin:Ana');
    expect(res).toMatchObject({ success: true, order_status: 'confirmed' });
    expect(await inventoryOf(f.db, productId)).toEqual({ stock: 8, reserved: 0, held: 0 });
    const [o] = await rows(f.db, 'SELECT confirmed_by, confirmed_at, admin_notes FROM orders WHERE id = ?', [orderId]);
    expect(o).toMatchObject({ confirmed_by: 'admin:Ana', admin_notes: 'Payment verified' });
    expect(o!.confirmed_at).toBeInstanceOf(Date);
    const history = await rows(f.db, 'SELECT from_status, to_status, changed_by, reason FROM order_state_history WHERE order_id = ? ORDER BY id', [orderId]);
    expect(history[1]).toEqual({ from_status: 'pending', to_status: 'confirmed', changed_by: 'admin:Ana', reason: 'Payment verified' });
    const jobs = await rows(f.db, `SELECT queue_type FROM order_processing_queue WHERE order_id = ? ORDER BY id`, [orderId]);
    expect(jobs.map((j) => j.queue_type)).toEqual(['reservation_expiry', 'fulfillment']);
    const notes = await rows(f.db, `SELECT notification_type FROM notification_queue WHERE order_id = ? ORDER BY id`, [orderId]);
    expect(notes.map((n) => n.notification_type)).toContain('order_confirmed');
  });

  it('refuses to confirm a cancelled order and changes nothing', async () => {
    const { orderId, productId } = await placed(10);
    expect(await f.orders.cancelOrder(orderId, 'Customer changed mind', 'customer')).toMatchObject({ success: true });
    const res = await f.orders.confirmOrder(orderId, undefined, 'admin:Ben');
    expect(res).toMatchObject({ success: false, code: 'INVALID_TRANSITION', current_status: 'cancelled', changed_by: 'customer' });
    if (res.success) return;
    expect(res.changed_at).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(await inventoryOf(f.db, productId)).toEqual({ stock: 10, reserved: 0, held: 0 });
  });

  it('answers ORDER_NOT_FOUND for an unknown order', async () => {
    expect(await f.orders.confirmOrder(987654321)).toMatchObject({ success: false, code: 'ORDER_NOT_FOUND' });
    expect(await f.orders.cancelOrder(-1, 'x', 'admin')).toMatchObject({ success: false, code: 'ORDER_NOT_FOUND' });
  });

  it('refuses to confirm an order whose stock was released by hand (sp_release_order_inventory)', async () => {
    const { orderId, productId } = await placed(10);
    await f.db.query('CALL sp_release_order_inventory(?, ?)', [orderId, 'Manual cleanup']);
    expect(await f.orders.confirmOrder(orderId)).toMatchObject({ success: false, code: 'RESERVATION_EXPIRED' });
    expect(await inventoryOf(f.db, productId)).toEqual({ stock: 10, reserved: 0, held: 0 });
  });
});

describe('cancelOrder and expireOrder', () => {
  it('cancelling a pending order releases its reservation and tells the customer', async () => {
    const { orderId, productId } = await placed(5);
    const res = await f.orders.cancelOrder(orderId, 'Customer changed mind', 'customer');
    expect(res).toEqual({ success: true, message: expect.stringContaining('cancelled'), order_status: 'cancelled' });
    expect(await inventoryOf(f.db, productId)).toEqual({ stock: 5, reserved: 0, held: 0 });
    const [r] = await rows(f.db, 'SELECT status, release_reason FROM inventory_reservations WHERE order_id = ?', [orderId]);
    expect(r).toEqual({ status: 'released', release_reason: 'Customer changed mind' });
    const notes = await rows(f.db, `SELECT notification_type FROM notification_queue WHERE order_id = ? AND recipient_type = 'customer'`, [orderId]);
    expect(notes.map((n) => n.notification_type)).toEqual(['order_received', 'order_cancelled']);
  });

  it('cancelling a confirmed order puts the committed stock back on the shelf', async () => {
    const { orderId, productId } = await placed(5);
    await f.orders.confirmOrder(orderId);
    expect(await inventoryOf(f.db, productId)).toEqual({ stock: 3, reserved: 0, held: 0 });
    expect(await f.orders.cancelOrder(orderId, 'Out of courier area', 'admin:Ana')).toMatchObject({ success: true });
    expect(await inventoryOf(f.db, productId)).toEqual({ stock: 5, reserved: 0, held: 0 });
  });

  it('expiring a pending order marks its reservations expired; a confirmed order cannot expire', async () => {
    const a = await placed(5);
    expect(await f.orders.expireOrder(a.orderId, 'worker:reservation-expiry')).toMatchObject({ success: true, order_status: 'expired' });
    const [r] = await rows(f.db, 'SELECT status FROM inventory_reservations WHERE order_id = ?', [a.orderId]);
    expect(r!.status).toBe('expired');
    expect(await inventoryOf(f.db, a.productId)).toEqual({ stock: 5, reserved: 0, held: 0 });
    const b = await placed(5);
    await f.orders.confirmOrder(b.orderId);
    expect(await f.orders.expireOrder(b.orderId)).toMatchObject({ success: false, code: 'INVALID_TRANSITION', current_status: 'confirmed' });
  });

  it('a manual SQL status update is recorded in history with the SQL user', async () => {
    const { orderId } = await placed(5);
    await f.db.query(`UPDATE orders SET order_status = 'cancelled' WHERE id = ?`, [orderId]);
    const [h] = await rows(f.db, 'SELECT to_status, changed_by FROM order_state_history WHERE order_id = ? ORDER BY id DESC LIMIT 1', [orderId]);
    expect(h!.to_status).toBe('cancelled');
    expect(h!.changed_by).toMatch(/^root@/);
  });
});

describe('when publishing the outbox hangs (Redis unreachable)', () => {
  it('still answers with the committed order instead of waiting for the publish', async () => {
    const orders = createOrderService({
      db: f.db,
      batchDb: f.batchDb,
      config: testConfig(),
      logger: pino({ level: 'silent' }),
      outbox: { publish: () => new Promise<void>(() => undefined) }, // never settles
    });
    const r = await orders.createOrder(seedOrderPayload(await makeUser(f.db), await makeProduct(f.db)));
    expect(r).toMatchObject({ success: true, order: { order_status: 'pending' } });
  });
});

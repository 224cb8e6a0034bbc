import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProduct, makeUser, seedOrderPayload } from '../../helpers/factories.js';
import { PNG_1PX } from '../../helpers/fake-cdn.js';
import { eventually, startJobsApp, uniquePsid, type JobsTestApp } from './jobs-harness.js';

/** The engine writes the outbox rows; the workers deliver them to the fake Graph API. */
describe('notifications for orders', () => {
  let t: JobsTestApp;
  const adminPsid = uniquePsid('admin');

  beforeAll(async () => {
    t = await startJobsApp({ ADMIN_PSIDS: adminPsid });
  });
  afterAll(() => t.close());

  async function customer(opts: { inWindow: boolean }) {
    const psid = uniquePsid('cust');
    const userId = await makeUser(t.db, { psid, name: 'Maria Santos' });
    if (opts.inWindow) await t.db.query('UPDATE users SET last_message_at = NOW() WHERE id = ?', [userId]);
    else await t.db.query('UPDATE users SET last_message_at = NOW() - INTERVAL 2 DAY WHERE id = ?', [userId]);
    return { psid, userId };
  }

  async function placeOrder(userId: number, paymentMethod = 'cod') {
    const productId = await makeProduct(t.db, { stock: 10, price: '1000.00', name: `Rice ${uniquePsid('p')}` });
    const res = await t.app.orders.createOrder({ ...seedOrderPayload(userId, productId), payment_method: paymentMethod }, { actor: 'api' });
    if (!res.success) throw new Error(`createOrder failed: ${res.error}`);
    return { orderId: res.order.id, orderNumber: res.order.order_number, productId };
  }

  const texts = (psid: string) => t.graph.sentTo(psid).map((m) => m.body.message?.text ?? '');

  it('sends the customer a receipt and "✅ Order … received! Total: ₱2,100.00", and every admin an alert with Confirm / Cancel / Details', async () => {
    const { psid, userId } = await customer({ inWindow: true });
    const { orderId, orderNumber } = await placeOrder(userId);

    await t.graph.waitFor(() => t.graph.sentTo(psid).length >= 2);
    const [receipt, text] = t.graph.sentTo(psid);
    const payload = receipt?.body.message?.attachment?.payload as Record<string, unknown>;
    expect(payload.template_type).toBe('receipt');
    expect(payload.order_number).toBe(orderNumber);
    expect(payload.summary).toMatchObject({ total_cost: 2100 });
    expect(text?.body.message?.text).toBe(`✅ Order ${orderNumber} received! Total: ₱2,100.00`);
    expect(text?.body.messaging_type).toBe('RESPONSE');

    await t.graph.waitFor(() => texts(adminPsid).some((m) => m.includes(orderNumber)));
    const alert = t.graph.sentTo(adminPsid).find((m) => m.body.message?.text?.includes(orderNumber))!;
    expect(alert.body.message?.text).toContain('Customer: Maria Santos');
    expect(alert.body.message?.text).toContain(`New order ${orderNumber} — ₱2,100.00`);
    expect(alert.body.message?.text).toContain('Payment: Cash on delivery');
    expect(alert.body.message?.quick_replies?.map((q) => q.payload)).toEqual([
      `ADMIN_CONFIRM:${orderId}`,
      `ADMIN_CANCEL:${orderId}`,
      `ADMIN_DETAILS:${orderId}`,
    ]);
    const [rows] = await t.db.query<RowDataPacket[]>(
      `SELECT status, message_id FROM notification_queue WHERE order_id = ? AND recipient_psid IN (?, ?)`,
      [orderId, psid, adminPsid],
    );
    await eventually(async () => {
      const [r] = await t.db.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM notification_queue WHERE order_id = ? AND status <> 'completed'`, [orderId]);
      return Number(r[0]?.n) === 0;
    });
    expect(rows.length).toBe(2);
  });

  it('confirm → the fulfilment worker moves the order to processing, and the customer hears both', async () => {
    const { psid, userId } = await customer({ inWindow: true });
    const { orderId, orderNumber } = await placeOrder(userId);
    const confirmed = await t.app.orders.confirmOrder(orderId, undefined, 'admin:test');
    expect(confirmed.success).toBe(true);

    await t.graph.waitFor(() => texts(psid).some((m) => m.includes('is being packed')));
    expect(texts(psid).filter((m) => m === `👍 Your order ${orderNumber} is confirmed! We're preparing it now.`)).toHaveLength(1);
    const order = await t.app.orders.getOrder(orderId);
    expect(order?.order_status).toBe('processing');
    expect(order?.history.find((h) => h.to_status === 'processing')?.changed_by).toBe('worker:fulfillment');
    const [rows] = await t.db.query<RowDataPacket[]>(
      `SELECT status, attempts FROM order_processing_queue WHERE order_id = ? AND queue_type = 'fulfillment'`,
      [orderId],
    );
    expect(rows).toEqual([expect.objectContaining({ status: 'completed', attempts: 1 })]);
  });

  it('order updates to a customer outside the 24-hour window carry the POST_PURCHASE_UPDATE tag', async () => {
    const { psid, userId } = await customer({ inWindow: false });
    const { orderId, orderNumber } = await placeOrder(userId);
    await t.app.orders.confirmOrder(orderId, undefined, 'admin:test');
    const shipped = await t.app.orders.shipOrder(orderId, { tracking_number: 'LBC-998877' }, 'admin:test');
    expect(shipped.success).toBe(true);

    await t.graph.waitFor(() => texts(psid).some((m) => m.includes('LBC-998877')));
    const ship = t.graph.sentTo(psid).find((m) => m.body.message?.text?.includes('LBC-998877'))!;
    expect(ship.body.message?.text).toBe(`🚚 Your order ${orderNumber} is on its way! Tracking number: LBC-998877`);
    for (const m of t.graph.sentTo(psid)) {
      expect(m.body.messaging_type).toBe('MESSAGE_TAG');
      expect(m.body.tag).toBe('POST_PURCHASE_UPDATE');
    }
  });

  it('tells the customer why an order was cancelled', async () => {
    const { psid, userId } = await customer({ inWindow: true });
    const { orderId, orderNumber } = await placeOrder(userId);
    await t.app.orders.cancelOrder(orderId, 'Item discontinued', 'admin:test');
    await t.graph.waitFor(() => texts(psid).some((m) => m.startsWith('❌')));
    expect(texts(psid).find((m) => m.startsWith('❌'))).toBe(`❌ Your order ${orderNumber} was cancelled. Reason: Item discontinued`);
  });

  it('forwards a payment proof image to the admins', async () => {
    const { userId } = await customer({ inWindow: true });
    const { orderId, orderNumber } = await placeOrder(userId, 'gcash');
    const saved = await t.app.media.save(PNG_1PX, 'payment_proof');
    if (!saved.ok) throw new Error(saved.message);
    const res = await t.app.orders.storePaymentProof(orderId, saved.media.id, 'customer:test');
    expect(res.success).toBe(true);
    // the stored bytes go out as an upload (the fake Graph records them as a data: URL)
    await t.graph.waitFor(() =>
      t.graph.sentTo(adminPsid).some((m) => m.body.message?.attachment?.payload.url === `data:image/png;base64,${PNG_1PX.toString('base64')}`),
    );
    expect(texts(adminPsid).some((m) => m.startsWith(`🧾 Payment proof for ${orderNumber}`))).toBe(true);
  });

  it('alerts the admins once when an order takes a product down to its low-stock threshold', async () => {
    const { userId } = await customer({ inWindow: true });
    const name = `Low Rice ${uniquePsid('p')}`;
    const productId = await makeProduct(t.db, { stock: 5, price: '1000.00', name, threshold: 3 });
    const res = await t.app.orders.createOrder(seedOrderPayload(userId, productId), { actor: 'api' });
    expect(res.success).toBe(true);
    await t.graph.waitFor(() => texts(adminPsid).some((m) => m.includes(`Low stock: ${name}`)));
    expect(texts(adminPsid).filter((m) => m.includes(`Low stock: ${name}`))).toEqual([`⚠️ Low stock: ${name} — 3 left (alert at 3). Time to restock.`]);
  });

  it('completes a fulfilment row with a note when the order was cancelled before the worker got to it', async () => {
    const { userId } = await customer({ inWindow: true });
    const { orderId } = await placeOrder(userId);
    await t.app.orders.cancelOrder(orderId, 'Changed my mind', 'customer:test');
    const [res] = await t.db.query<ResultSetHeader>(
      `INSERT INTO order_processing_queue (order_id, queue_type, payload) VALUES (?, 'fulfillment', '{}')`,
      [orderId],
    );
    await t.app.jobs.publish({ notificationIds: [], processingIds: [res.insertId] });
    const row = await eventually(async () => {
      const [rows] = await t.db.query<RowDataPacket[]>('SELECT status, last_error FROM order_processing_queue WHERE id = ?', [res.insertId]);
      return rows[0]?.status === 'completed' && rows[0];
    });
    expect(row.last_error).toBe('nothing to do: order is cancelled (by customer:test)');
    expect((await t.app.orders.getOrder(orderId))?.order_status).toBe('cancelled');
  });
});

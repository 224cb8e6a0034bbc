import type { RowDataPacket } from 'mysql2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { makeProduct, makeUser, seedOrderPayload } from '../../helpers/factories.js';
import { engineFixture, inventoryOf, rows, type EngineFixture } from './engine-fixture.js';

let f: EngineFixture;
beforeAll(() => {
  f = engineFixture({ FRAUD_BLOCKED_PHONES: '+639998887777', FRAUD_MAX_ORDERS_PER_HOUR: '2' });
});
afterAll(() => f.close());

const noTotals = (userId: number, items: { product_id: number; quantity: number }[], extra: Record<string, unknown> = {}) => {
  const { subtotal: _s, shipping_fee: _f, discount_amount: _d, total_amount: _t, ...rest } = seedOrderPayload(userId, 0);
  return { ...rest, items, ...extra };
};

describe('createOrder business rules (real database)', () => {
  it('rejects unknown and inactive products naming the line, and creates nothing', async () => {
    const inactive = await makeProduct(f.db, { status: 'inactive' });
    const userId = await makeUser(f.db);
    const r = await f.orders.createOrder(noTotals(userId, [{ product_id: 99999999, quantity: 1 }, { product_id: inactive, quantity: 1 }]));
    expect(r).toMatchObject({
      success: false,
      code: 'PRODUCT_NOT_FOUND',
      validation_errors: [
        { field: 'items.0.product_id', code: 'PRODUCT_NOT_FOUND' },
        { field: 'items.1.product_id', code: 'PRODUCT_INACTIVE' },
      ],
    });
    expect(await rows(f.db, 'SELECT id FROM orders WHERE user_id = ?', [userId])).toEqual([]);
  });

  it('sums duplicate lines before checking stock', async () => {
    const p = await makeProduct(f.db, { stock: 3 });
    const r = await f.orders.createOrder(noTotals(await makeUser(f.db), [{ product_id: p, quantity: 2 }, { product_id: p, quantity: 2 }]));
    expect(r).toMatchObject({ success: false, code: 'INSUFFICIENT_STOCK', validation_errors: [{ field: 'items.0.quantity', message: expect.stringContaining('Only 3 left') }] });
    const ok = await f.orders.createOrder(noTotals(await makeUser(f.db), [{ product_id: p, quantity: 1 }, { product_id: p, quantity: 2 }]));
    expect(ok.success).toBe(true);
    expect(await inventoryOf(f.db, p)).toEqual({ stock: 3, reserved: 3, held: 3 });
    if (!ok.success) return;
    const order = await f.orders.getOrder(ok.order.id);
    expect(order!.items).toEqual([expect.objectContaining({ product_id: p, quantity: 3, line_total: '3000.00' })]);
  });

  it('prices from the database and rejects client totals that differ (TOTAL_MISMATCH)', async () => {
    const p = await makeProduct(f.db, { price: '999.50' });
    const r = await f.orders.createOrder(seedOrderPayload(await makeUser(f.db), p)); // the client thinks ₱1,000 each
    expect(r).toMatchObject({ success: false, code: 'TOTAL_MISMATCH' });
    if (r.success) return;
    expect(r.validation_errors.map((e) => e.field)).toEqual(['subtotal', 'total_amount']);
    const ok = await f.orders.createOrder({ ...seedOrderPayload(await makeUser(f.db), p), subtotal: '1999.00', total_amount: 2099.0 });
    expect(ok).toMatchObject({ success: true, order: { total_amount: 2099 } });
  });

  it('uses the fallback shipping rate for a province without its own', async () => {
    const p = await makeProduct(f.db, { price: '500.00' });
    const r = await f.orders.createOrder(noTotals(await makeUser(f.db), [{ product_id: p, quantity: 1 }], { shipping_address: { ...seedOrderPayload(1, 1).shipping_address, province: 'Batanes' } }));
    expect(r).toMatchObject({ success: true, order: { total_amount: 680 } });
    expect(await f.orders.quoteShipping('Batanes', 500)).toMatchObject({ fee: '180.00', matched: 'fallback', is_free: false });
    expect(await f.orders.quoteShipping('metro manila', '2000.00')).toMatchObject({ fee: '100.00', matched: 'province' });
  });

  it('applies a promo, counts its use with the order, and gives the use back on cancel', async () => {
    const code = `P${randomUUID().slice(0, 8)}`.toUpperCase();
    await f.db.query(`INSERT INTO promo_codes (code, discount_type, discount_value, min_spend, usage_limit) VALUES (?, 'percent', 10, 1000, 1)`, [code]);
    const p = await makeProduct(f.db, { price: '1000.00' });
    const first = await f.orders.createOrder({ ...seedOrderPayload(await makeUser(f.db), p), promo_code: code.toLowerCase(), discount_amount: 200, total_amount: 1900 });
    expect(first).toMatchObject({ success: true, order: { total_amount: 1900 } });
    const second = await f.orders.createOrder(noTotals(await makeUser(f.db), [{ product_id: p, quantity: 2 }], { promo_code: code }));
    expect(second).toMatchObject({ success: false, code: 'INVALID_PROMO', validation_errors: [{ field: 'promo_code', message: expect.stringContaining('usage limit') }] });
    if (!first.success) return;
    await f.orders.cancelOrder(first.order.id, 'changed mind', 'customer');
    expect(await rows(f.db, 'SELECT times_used FROM promo_codes WHERE code = ?', [code])).toEqual([{ times_used: 0 }]);
    const small = await f.orders.createOrder(noTotals(await makeUser(f.db), [{ product_id: await makeProduct(f.db, { price: '10.00' }), quantity: 1 }], { promo_code: code }));
    expect(small).toMatchObject({ success: false, code: 'INVALID_PROMO', validation_errors: [{ message: expect.stringContaining('minimum spend') }] });
  });

  it('rejects an unknown user and a blocked phone', async () => {
    const p = await makeProduct(f.db);
    expect(await f.orders.createOrder(seedOrderPayload(987654321, p))).toMatchObject({ success: false, code: 'USER_NOT_FOUND' });
    const blocked = await makeUser(f.db, { phone: '09998887777' });
    expect(await f.orders.createOrder(seedOrderPayload(blocked, p))).toMatchObject({ success: false, code: 'USER_BLOCKED' });
  });

  it('warns about a repeated order and many orders in an hour, and stores the fraud score', async () => {
    const p = await makeProduct(f.db, { stock: 50 });
    const userId = await makeUser(f.db);
    await f.orders.createOrder(seedOrderPayload(userId, p));
    const again = await f.orders.createOrder(seedOrderPayload(userId, p));
    expect(again.success && again.warnings.map((w) => w.code)).toEqual(['DUPLICATE_ORDER']);
    const third = await f.orders.createOrder(seedOrderPayload(userId, p));
    expect(third.success && third.warnings.map((w) => w.code).sort()).toEqual(['DUPLICATE_ORDER', 'HIGH_ORDER_RATE']);
    if (!third.success) return;
    const order = await f.orders.getOrder(third.order.id);
    expect(order).toMatchObject({ fraud_score: 55, requires_verification: true });
    const [alert] = await rows(f.db, `SELECT payload FROM notification_queue WHERE order_id = ? AND notification_type = 'new_order_admin'`, [third.order.id]);
    expect(alert!.payload).toMatchObject({ order_id: third.order.id, fraud_score: 55, warnings: [expect.anything(), expect.anything()] });
  });

  it('counts only live orders inside the windows: cancelled ones and older ones are not held against the buyer', async () => {
    const p = await makeProduct(f.db, { stock: 50 });
    const userId = await makeUser(f.db);
    const place = async () => {
      const r = await f.orders.createOrder(seedOrderPayload(userId, p));
      if (!r.success) throw new Error(r.error);
      return r;
    };
    const cancelled = await place();
    await f.orders.cancelOrder(cancelled.order.id, 'changed my mind', 'customer');
    const old = await place(); // not a duplicate: the only earlier order with these items is cancelled
    expect(old.warnings).toEqual([]);
    // 61 minutes ago: outside the hour and outside the duplicate window (default 10 minutes)
    await f.db.query('UPDATE orders SET created_at = NOW() - INTERVAL 61 MINUTE WHERE id = ?', [old.order.id]);
    expect((await place()).warnings).toEqual([]);
    const order = await f.orders.getOrder(old.order.id);
    expect(order).toMatchObject({ order_status: 'pending' });
  });

  it('queues one low-stock admin alert when available stock crosses the threshold, and publishes it', async () => {
    const p = await makeProduct(f.db, { stock: 5, threshold: 3 });
    const r = await f.orders.createOrder(seedOrderPayload(await makeUser(f.db), p));
    expect(r.success).toBe(true);
    const alerts = await rows(f.db, `SELECT id, recipient_psid, payload FROM notification_queue WHERE notification_type = 'low_stock' AND JSON_EXTRACT(payload, '$.product_id') = ?`, [p]);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ recipient_psid: null, payload: { available_quantity: 3, low_stock_threshold: 3 } });
    expect(f.published.some((x) => x.broadcastIds?.includes(alerts[0]!.id as number))).toBe(true);
  });
});

describe('order lifecycle after confirmation', () => {
  it('moves through processing, shipped (with tracking) and delivered, telling the customer each time', async () => {
    const p = await makeProduct(f.db, { stock: 5 });
    const created = await f.orders.createOrder(seedOrderPayload(await makeUser(f.db, { psid: `life-${Date.now()}` }), p));
    if (!created.success) throw new Error(created.error);
    const id = created.order.id;
    expect(await f.orders.shipOrder(id, {}, 'admin:Ana')).toMatchObject({ success: false, code: 'INVALID_TRANSITION', current_status: 'pending' });
    await f.orders.confirmOrder(id, undefined, 'admin:Ana');
    expect(await f.orders.markProcessing(id, 'worker:fulfillment')).toMatchObject({ success: true, order_status: 'processing' });
    expect(await f.orders.shipOrder(id, { tracking_number: 'LBC-123' }, 'admin:Ana')).toMatchObject({ success: true, order_status: 'shipped' });
    expect(await f.orders.deliverOrder(id, 'admin:Ana')).toMatchObject({ success: true, order_status: 'delivered' });
    const order = await f.orders.getOrder(id);
    expect(order).toMatchObject({ order_status: 'delivered', tracking_number: 'LBC-123', payment_status: 'paid' });
    expect(order!.history.map((h) => h.to_status)).toEqual(['pending', 'confirmed', 'processing', 'shipped', 'delivered']);
    expect(order!.reservations).toMatchObject([{ status: 'committed', quantity: 2 }]);
    const notes = await rows(f.db, `SELECT notification_type, payload FROM notification_queue WHERE order_id = ? AND recipient_type = 'customer' ORDER BY id`, [id]);
    expect(notes.map((n) => n.notification_type)).toEqual(['order_received', 'order_confirmed', 'order_processing', 'order_shipped', 'order_delivered']);
    expect(notes[3]!.payload).toMatchObject({ tracking_number: 'LBC-123' });
  });

  it('ships a confirmed order straight away, passing through processing in the history', async () => {
    const created = await f.orders.createOrder(seedOrderPayload(await makeUser(f.db), await makeProduct(f.db)), { actor: 'customer:PSID-1' });
    if (!created.success) throw new Error(created.error);
    await f.orders.confirmOrder(created.order.id, undefined, 'admin:Ana');
    expect(await f.orders.shipOrder(created.order.id, { tracking_number: 'JNT-9' }, 'admin:Ben')).toMatchObject({ success: true });
    const order = await f.orders.getOrderByNumber(created.order.order_number);
    expect(order!.history.map((h) => [h.to_status, h.changed_by])).toEqual([
      ['pending', 'customer:PSID-1'],
      ['confirmed', 'admin:Ana'],
      ['processing', 'admin:Ben'],
      ['shipped', 'admin:Ben'],
    ]);
  });

  it('accepts a GCash payment proof, alerts the admins, and marks it paid on confirmation', async () => {
    const p = await makeProduct(f.db);
    const created = await f.orders.createOrder({ ...seedOrderPayload(await makeUser(f.db), p), payment_method: 'gcash' });
    if (!created.success) throw new Error(created.error);
    const id = created.order.id;
    expect(await f.orders.attachPaymentProof(id, 'not a url')).toMatchObject({ success: false, code: 'INVALID_FORMAT' });
    expect(await f.orders.attachPaymentProof(id, 'https://cdn.example.com/proof.jpg', 'customer:x')).toMatchObject({ success: true });
    // first the download is queued (the attachment URL expires), nothing is submitted yet
    const [job] = await rows(f.db, `SELECT queue_type, payload FROM order_processing_queue WHERE order_id = ? AND queue_type = 'proof_download'`, [id]);
    expect(job).toMatchObject({ payload: { url: 'https://cdn.example.com/proof.jpg', actor: 'customer:x' } });
    expect((await f.orders.getOrder(id))!.payment_status).toBe('unpaid');
    const [[media]] = await f.db.query<RowDataPacket[]>(
      "INSERT INTO media (public_id, kind, sha256, content_type, size, bytes) VALUES (REPLACE(UUID(), '-', ''), 'payment_proof', SHA2(UUID(), 256), 'image/png', 1, 'x') RETURNING id",
    );
    expect(await f.orders.storePaymentProof(id, Number(media!.id), 'customer:x')).toMatchObject({ success: true });
    const [alert] = await rows(f.db, `SELECT recipient_psid, payload FROM notification_queue WHERE order_id = ? AND notification_type = 'payment_proof'`, [id]);
    expect(alert).toMatchObject({ recipient_psid: null, payload: { media_id: Number(media!.id), order_number: created.order.order_number } });
    expect((await f.orders.getOrder(id))!).toMatchObject({ payment_status: 'proof_submitted', payment_proof_media_id: Number(media!.id) });
    await f.orders.confirmOrder(id, 'GCash ref 123');
    expect((await f.orders.getOrder(id))!.payment_status).toBe('paid');
    expect(await f.orders.attachPaymentProof(id, 'https://cdn.example.com/again.jpg')).toMatchObject({ success: false, code: 'INVALID_TRANSITION' });
  });

  it('tells a COD customer no payment proof is needed', async () => {
    const created = await f.orders.createOrder(seedOrderPayload(await makeUser(f.db), await makeProduct(f.db)));
    if (!created.success) throw new Error(created.error);
    expect(await f.orders.attachPaymentProof(created.order.id, 'https://x.example/p.png')).toMatchObject({ success: false, code: 'PAYMENT_NOT_REQUIRED' });
  });
});

describe('reading orders', () => {
  it('returns null for an unknown order and pages a user’s orders newest first', async () => {
    expect(await f.orders.getOrder(987654321)).toBeNull();
    expect(await f.orders.getOrderByNumber('ORD-19990101-00000')).toBeNull();
    const userId = await makeUser(f.db);
    const p = await makeProduct(f.db, { stock: 50 });
    const ids: number[] = [];
    for (let i = 1; i <= 3; i++) {
      const r = await f.orders.createOrder(noTotals(userId, [{ product_id: p, quantity: i }]));
      if (r.success) ids.push(r.order.id);
    }
    const page1 = await f.orders.listOrders({ user_id: userId, limit: 2 });
    expect(page1.orders.map((o) => o.id)).toEqual([ids[2], ids[1]]);
    expect(page1.next_cursor).not.toBeNull();
    const page2 = await f.orders.listOrders({ user_id: userId, limit: 2, cursor: page1.next_cursor! });
    expect(page2).toMatchObject({ orders: [{ id: ids[0] }], next_cursor: null });
    await f.orders.cancelOrder(ids[0]!, 'x', 'admin');
    const cancelled = await f.orders.listOrders({ user_id: userId, status: 'cancelled', limit: 10 });
    expect(cancelled.orders.map((o) => o.id)).toEqual([ids[0]]);
  });
});

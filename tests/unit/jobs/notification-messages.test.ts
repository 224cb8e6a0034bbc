import { describe, expect, it } from 'vitest';
import { orderReceivedText, orderRefFromPayload, renderNotification, type RenderInput } from '../../../src/jobs/notification-messages.js';
import type { OrderDetail } from '../../../src/orders/types.js';

const shop: RenderInput['shop'] = {
  name: 'Test Shop',
  currency: 'PHP',
  gcashNumber: '09171234567',
  gcashName: 'Test Shop',
  bankDetails: 'BDO 0012-3456',
};

function order(over: Partial<OrderDetail> = {}): OrderDetail {
  return {
    id: 42,
    order_number: 'ORD-20261126-0042',
    user_id: 7,
    cart_id: null,
    order_status: 'pending',
    payment_method: 'cod',
    payment_status: 'unpaid',
    payment_proof_url: null,
    payment_proof_media_id: null,
    payment_proof_error: null,
    subtotal: '2000.00',
    shipping_fee: '100.00',
    discount_amount: '0.00',
    total_amount: '2100.00',
    promo_code: null,
    recipient_name: 'Juan Dela Cruz',
    phone: '09123456789',
    shipping_address: '123 Test Street',
    city: 'Manila',
    province: 'Metro Manila',
    postal_code: '1000',
    order_source: 'messenger',
    fraud_score: 0,
    fraud_flags: [],
    requires_verification: false,
    tracking_number: null,
    admin_notes: null,
    cancel_reason: null,
    error_count: 0,
    confirmed_by: null,
    confirmed_at: null,
    cancelled_at: null,
    shipped_at: null,
    delivered_at: null,
    expires_at: null,
    created_at: '2026-11-26T07:00:00.000Z',
    updated_at: '2026-11-26T07:00:00.000Z',
    customer: { name: 'Juan Dela Cruz', phone: '09123456789', psid: 'psid-juan' },
    items: [{ id: 1, product_id: 3, product_name: 'Rice 25kg', sku: 'RICE-25', unit_price: '1000.00', quantity: 2, line_total: '2000.00' }],
    reservations: [],
    history: [],
    ...over,
  };
}

const render = (type: string, o: OrderDetail | null = order(), payload: Record<string, unknown> = {}) =>
  renderNotification({ type, payload, order: o, shop });

describe('order received message', () => {
  it('is a receipt template followed by the exact confirmation text', () => {
    const r = render('order_received');
    expect(r.ok && r.audience).toBe('customer');
    if (!r.ok) return;
    expect(r.parts).toHaveLength(2);
    const receipt = r.parts[0]?.attachment?.payload as Record<string, unknown>;
    expect(receipt.template_type).toBe('receipt');
    expect(receipt.order_number).toBe('ORD-20261126-0042');
    expect(receipt.summary).toEqual({ subtotal: 2000, shipping_cost: 100, total_cost: 2100 });
    expect(receipt.elements).toEqual([{ title: 'Rice 25kg', subtitle: 'RICE-25', quantity: 2, price: 2000, currency: 'PHP' }]);
    expect(r.parts[1]?.text).toBe('✅ Order ORD-20261126-0042 received! Total: ₱2,100.00');
  });

  it('adds GCash payment instructions for a GCash order', () => {
    const r = render('order_received', order({ payment_method: 'gcash' }));
    expect(r.ok && r.parts[2]?.text).toContain('by GCash to 09171234567');
  });

  it('formats large totals with thousands separators', () => {
    expect(orderReceivedText({ order_number: 'ORD-1', total_amount: '1234567.5' }, 'PHP')).toBe('✅ Order ORD-1 received! Total: ₱1,234,567.50');
  });

  it('shows a promo discount as a receipt adjustment', () => {
    const r = render('order_received', order({ discount_amount: '200.00', promo_code: 'SAVE200', total_amount: '1900.00' }));
    const receipt = (r.ok ? r.parts[0]?.attachment?.payload : {}) as Record<string, unknown>;
    expect(receipt.adjustments).toEqual([{ name: 'Promo SAVE200', amount: 200 }]);
  });
});

describe('new order alert for admins', () => {
  it('lists customer, items, total, payment and warnings with Confirm / Cancel / Details quick replies', () => {
    const r = render('new_order_admin', order({ fraud_flags: [{ code: 'HIGH_VALUE', message: 'High-value order' }] }));
    expect(r.ok && r.audience).toBe('admin');
    if (!r.ok) return;
    const msg = r.parts[0]!;
    expect(msg.text).toContain('New order ORD-20261126-0042 — ₱2,100.00');
    expect(msg.text).toContain('Customer: Juan Dela Cruz (09123456789)');
    expect(msg.text).toContain('• 2 × Rice 25kg — ₱2,000.00');
    expect(msg.text).toContain('Payment: Cash on delivery');
    expect(msg.text).toContain('⚠️ High-value order');
    expect(msg.quick_replies).toEqual([
      { content_type: 'text', title: 'Confirm', payload: 'ADMIN_CONFIRM:42' },
      { content_type: 'text', title: 'Cancel', payload: 'ADMIN_CANCEL:42' },
      { content_type: 'text', title: 'Details', payload: 'ADMIN_DETAILS:42' },
    ]);
  });

  it('keeps a huge order under the Messenger text limit', () => {
    const items = Array.from({ length: 60 }, (_, i) => ({ ...order().items[0]!, id: i, product_name: 'X'.repeat(150) }));
    const r = render('new_order_admin', order({ items }));
    expect(r.ok && r.parts[0]!.text!.length).toBeLessThanOrEqual(2000);
  });
});

describe('order updates for the customer', () => {
  it('includes the tracking number when shipped', () => {
    const r = render('order_shipped', order({ tracking_number: 'LBC123' }));
    expect(r.ok && r.parts[0]?.text).toBe('🚚 Your order ORD-20261126-0042 is on its way! Tracking number: LBC123');
  });

  it('gives the reason when cancelled', () => {
    const r = render('order_cancelled', order(), { reason: 'Out of stock' });
    expect(r.ok && r.parts[0]?.text).toContain('Reason: Out of stock');
  });

  it.each(['order_confirmed', 'order_processing', 'order_delivered', 'order_expired'])('has a text for %s naming the order', (type) => {
    const r = render(type);
    expect(r.ok && r.audience).toBe('customer');
    expect(r.ok && r.parts[0]?.text).toContain('ORD-20261126-0042');
  });
});

describe('status updates from the engine payload alone', () => {
  it('needs no order read: the payload snapshot carries the number, tracking and reason', () => {
    const payload = { order_id: 42, order_number: 'ORD-9', tracking_number: 'JNT-1', reason: null };
    expect(orderRefFromPayload('order_shipped', payload)).toEqual({ order_number: 'ORD-9', tracking_number: null, cancel_reason: null });
    expect(render('order_shipped', null, payload)).toEqual({
      ok: true,
      audience: 'customer',
      parts: [{ text: '🚚 Your order ORD-9 is on its way! Tracking number: JNT-1' }],
    });
  });

  it('still needs the order for the receipt and the admin alert', () => {
    expect(orderRefFromPayload('order_received', { order_number: 'ORD-9' })).toBeNull();
    expect(orderRefFromPayload('new_order_admin', { order_number: 'ORD-9' })).toBeNull();
    expect(orderRefFromPayload('order_confirmed', {})).toBeNull();
  });
});

describe('admin alerts without an order', () => {
  it('renders a low-stock alert from the trigger payload', () => {
    const r = render('low_stock', null, { product_id: 5, name: 'Rice 25kg', available_quantity: 2, low_stock_threshold: 5 });
    expect(r.ok && r.parts[0]?.text).toBe('⚠️ Low stock: Rice 25kg — 2 left (alert at 5). Time to restock.');
  });

  it('forwards the stored payment proof (by media id, sent as an upload) with the order quick replies', () => {
    const r = render('payment_proof', order({ payment_method: 'gcash' }), { media_id: 9 });
    if (!r.ok) throw new Error(r.reason);
    expect(r.parts[1]?.attachment).toEqual({ type: 'image', payload: { media_id: 9, is_reusable: true } });
    expect(r.parts[1]?.quick_replies?.[0]?.payload).toBe('ADMIN_CONFIRM:42');
  });
});

describe('rows that cannot be rendered', () => {
  it('names the unknown notification type', () => {
    expect(render('order_teleported')).toEqual({ ok: false, reason: "unknown notification_type 'order_teleported'" });
  });

  it('says when the order is missing', () => {
    const r = render('order_confirmed', null);
    expect(r.ok).toBe(false);
  });
});

describe('the daily summary row', () => {
  const summary = {
    date: '2025-03-01',
    total_orders: 2,
    by_status: { pending: 1, confirmed: 1, processing: 0, shipped: 0, delivered: 0, cancelled: 0, expired: 0 },
    revenue: '2300.00',
    top_products: [{ name: 'Rice 5kg', units: 3, revenue: '2100.00' }],
    low_stock: [],
  };

  it('is the admin menu\'s 🧾 Today message, with the menu as quick replies', () => {
    const r = renderNotification({ type: 'daily_summary', payload: summary, order: null, shop });
    if (!r.ok) throw new Error(r.reason);
    expect(r.audience).toBe('admin');
    expect(r.parts).toHaveLength(1);
    expect(r.parts[0]?.text).toMatch(/^🧾 Today, 2025-03-01: 2 orders, revenue ₱2,300\.00\n/);
    expect(r.parts[0]?.text).toContain('• Rice 5kg — 3 sold');
    expect(r.parts[0]?.quick_replies?.map((q) => [q.content_type, q.title])).toEqual([
      ['text', '📋 Pending orders'], ['text', '➕ Add product'], ['text', '📦 Stock'], ['text', '🧾 Today'],
    ]);
  });

  it('fails a row without a summary instead of sending an empty message', () => {
    expect(renderNotification({ type: 'daily_summary', payload: { date: '2025-03-01' }, order: null, shop })).toEqual({ ok: false, reason: 'daily_summary row without a day summary' });
  });
});

import { describe, expect, it } from 'vitest';
import { signBody, verifySignature } from '../../../src/bot/signature.js';
import { idArg, parsePayload, P } from '../../../src/bot/payloads.js';
import { toSendRequest } from '../../../src/bot/messenger-adapter.js';
import { cartMessages, productCarousel, quantityQuestion } from '../../../src/bot/messages-shop.js';
import { checkoutSummary } from '../../../src/bot/messages-checkout.js';
import { parsePaymentMethod } from '../../../src/bot/handlers/checkout-dialog.js';
import type { OrderSummary, Product } from '../../../src/orders/types.js';
import { ordersCarousel } from '../../../src/bot/messages-orders.js';

const product = (over: Partial<Product> = {}): Product => ({
  id: 7, sku: 'S', name: 'Rice cooker', description: null, price: '1999.50', stock_quantity: 3, reserved_quantity: 0,
  available_quantity: 3, low_stock_threshold: 1, status: 'active', category: 'Home', image_url: 'https://img/x.jpg',
  created_at: '', updated_at: '', ...over,
});

describe('webhook signatures', () => {
  it('accepts the exact body signed with the app secret and rejects anything else', () => {
    const body = Buffer.from('{"object":"page"}');
    expect(verifySignature(body, signBody(body, 's3cret'), 's3cret')).toBe(true);
    expect(verifySignature(body, signBody(body, 'other'), 's3cret')).toBe(false);
    expect(verifySignature(Buffer.from('{"object":"page"} '), signBody(body, 's3cret'), 's3cret')).toBe(false);
    expect(verifySignature(body, undefined, 's3cret')).toBe(false);
    expect(verifySignature(body, 'sha1=abc', 's3cret')).toBe(false);
    expect(verifySignature(body, 'sha256=zz', 's3cret')).toBe(false);
  });
});

describe('payloads', () => {
  it('round-trips commands and keeps a category name with colons whole', () => {
    expect(parsePayload(P.qty(12, 3))).toEqual({ name: 'QTY', args: ['12', '3'] });
    expect(parsePayload(P.category('Bags: Leather'))).toEqual({ name: 'CATEGORY', args: ['Bags: Leather'] });
    expect(idArg('12')).toBe(12);
    expect(idArg('1e3')).toBeNull();
    expect(idArg(undefined)).toBeNull();
  });
});

describe('message builders', () => {
  it('shows a product card with price, stock hint and Add to cart', () => {
    const msg = productCarousel([product()], 'PHP');
    const el = (msg.attachment!.payload.elements as Array<Record<string, unknown>>)[0]!;
    expect(el.subtitle).toBe('₱1,999.50 · Only 3 left');
    expect(el.buttons).toEqual([{ type: 'postback', title: 'Add to cart', payload: 'ADD:7' }]);
  });

  it('offers quantities 1 to 5 but never more than are available, plus Other', () => {
    expect(quantityQuestion(product(), 'PHP').quick_replies!.map((q) => q.title)).toEqual(['1', '2', '3', 'Other']);
  });

  it('totals the cart and the summary exactly', () => {
    const view = {
      cart_id: 4, subtotal: '3999.00', item_count: 2, checkout: { name: 'Juan', phone: '09171234567', address: '1 St', city: 'Manila', province: 'Metro Manila', postal_code: '1000', payment_method: 'gcash' },
      lines: [{ product_id: 7, name: 'Rice cooker', unit_price: '1999.50', quantity: 2, line_total: '3999.00', available: 3, active: true, image_url: null }],
    };
    expect(cartMessages(view, 'PHP')[1]!.text).toBe('Subtotal: ₱3,999.00 (2 items)');
    const quote = {
      success: true as const, subtotal: 3999, shipping_fee: 100, discount_amount: 399.9, total_amount: 3699.1, promo_code: 'SAVE10', warnings: [],
      items: [{ product_id: 7, name: 'Rice cooker', quantity: 2, unit_price: 1999.5, line_total: 3999 }],
    };
    const summary = checkoutSummary(view, quote, 'PHP');
    expect(summary.text).toContain('Subtotal: ₱3,999.00\nPromo SAVE10: −₱399.90\nDelivery fee: ₱100.00\nTotal: ₱3,699.10');
    expect(summary.text).toContain('Payment: GCash');
    expect(summary.quick_replies![0]).toEqual({ title: '✅ Place order', payload: 'PLACE_ORDER:4:369910' });
  });

  it('understands typed payment methods', () => {
    const all = ['cod', 'gcash', 'bank_transfer'];
    expect(parsePaymentMethod('Cash on delivery', all)).toBe('cod');
    expect(parsePaymentMethod('GCash', all)).toBe('gcash');
    expect(parsePaymentMethod('bank transfer', all)).toBe('bank_transfer');
    expect(parsePaymentMethod('paypal', all)).toBeNull();
    expect(parsePaymentMethod('gcash', ['cod'])).toBeNull();
  });
});

describe('the customer’s orders', () => {
  it('dates each order in the shop’s time zone and offers Cancel only while pending', () => {
    const base = { id: 1, order_number: 'ORD-1', total_amount: '2100.00', created_at: '2026-11-25T17:30:00.000Z' };
    const msg = ordersCarousel(
      [
        { ...base, order_status: 'pending' },
        { ...base, id: 2, order_number: 'ORD-2', order_status: 'shipped' },
      ] as OrderSummary[],
      'Asia/Manila',
      'PHP',
    );
    const els = msg.attachment!.payload.elements as Array<{ title: string; subtitle: string; buttons: Array<{ title: string }> }>;
    expect(els[0]).toMatchObject({ title: 'ORD-1 · ₱2,100.00', subtitle: '🕒 Waiting for confirmation · Nov 26, 2026' });
    expect(els[0]!.buttons.map((b) => b.title)).toEqual(['Details', 'Cancel order']);
    expect(els[1]!.buttons.map((b) => b.title)).toEqual(['Details']);
  });
});

describe('outgoing activities', () => {
  it('become Send API requests with quick replies (titles cut to 20 characters) or a template', () => {
    const req = toSendRequest({
      type: 'message', text: 'Pick', recipient: { id: 'u1', name: '' },
      channelData: { quick_replies: [{ title: 'A very long quick reply title', payload: 'X' }] },
    });
    expect(req).toEqual({
      recipient: { id: 'u1' }, messaging_type: 'RESPONSE',
      message: { text: 'Pick', quick_replies: [{ content_type: 'text', title: 'A very long quick re', payload: 'X' }] },
    });
    const tpl = toSendRequest({ type: 'message', recipient: { id: 'u1', name: '' }, channelData: { attachment: { type: 'template', payload: { template_type: 'generic' } } } });
    expect(tpl!.message!.attachment!.type).toBe('template');
  });
});

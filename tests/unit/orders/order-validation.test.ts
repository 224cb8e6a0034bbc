import { describe, expect, it } from 'vitest';
import { checkField } from '../../../src/orders/checkout-fields.js';
import { mergeLines, orderInputSchema, parseWith } from '../../../src/orders/schemas.js';

const config = { MAX_ITEM_QUANTITY: 100, MAX_ORDER_LINES: 50, PAYMENT_METHODS: ['cod', 'gcash', 'bank_transfer'] };
const schema = orderInputSchema(config);
const valid = {
  user_id: 1,
  items: [{ product_id: 1, quantity: 2 }],
  subtotal: 2000.0,
  shipping_fee: 100.0,
  discount_amount: 0.0,
  total_amount: 2100.0,
  payment_method: 'cod',
  shipping_address: { recipient_name: 'Test User', phone: '09123456789', address: '123 Test Street, Brgy. Test', city: 'Manila', province: 'Metro Manila', postal_code: '1000' },
};
const withAddress = (a: Record<string, unknown>) => ({ ...valid, shipping_address: { ...valid.shipping_address, ...a } });

describe('createOrder input validation', () => {
  it("accepts the seed's Test 1 payload", () => {
    expect(parseWith(schema, valid)).toMatchObject({ ok: true });
  });

  it.each([
    ['user_id missing', 'user_id', 'REQUIRED', { ...valid, user_id: undefined }],
    ['user_id a string', 'user_id', 'INVALID_TYPE', { ...valid, user_id: 'one' }],
    ['no items', 'items', 'REQUIRED', { ...valid, items: [] }],
    ['zero quantity', 'items.0.quantity', 'OUT_OF_RANGE', { ...valid, items: [{ product_id: 1, quantity: 0 }] }],
    ['fractional quantity', 'items.0.quantity', 'INVALID_TYPE', { ...valid, items: [{ product_id: 1, quantity: 1.5 }] }],
    ['quantity above the cap', 'items.0.quantity', 'OUT_OF_RANGE', { ...valid, items: [{ product_id: 1, quantity: 101 }] }],
    ['negative product id', 'items.0.product_id', 'OUT_OF_RANGE', { ...valid, items: [{ product_id: -4, quantity: 1 }] }],
    ['too many lines', 'items', 'OUT_OF_RANGE', { ...valid, items: Array.from({ length: 51 }, (_, i) => ({ product_id: i + 1, quantity: 1 })) }],
    ['unknown payment method', 'payment_method', 'INVALID_PAYMENT_METHOD', { ...valid, payment_method: 'bitcoin' }],
    ['money with 3 decimals', 'total_amount', 'INVALID_FORMAT', { ...valid, total_amount: 2100.001 }],
    ['negative money', 'subtotal', 'INVALID_FORMAT', { ...valid, subtotal: -1 }],
    ['no shipping address', 'shipping_address', 'REQUIRED', { ...valid, shipping_address: undefined }],
    ['landline phone', 'shipping_address.phone', 'INVALID_FORMAT', withAddress({ phone: '028123456' })],
    ['phone missing', 'shipping_address.phone', 'REQUIRED', withAddress({ phone: '' })],
    ['3-digit postal code', 'shipping_address.postal_code', 'INVALID_FORMAT', withAddress({ postal_code: '100' })],
    ['one-letter name', 'shipping_address.recipient_name', 'INVALID_FORMAT', withAddress({ recipient_name: 'A' })],
    ['address too short', 'shipping_address.address', 'INVALID_FORMAT', withAddress({ address: '12' })],
    ['promo code too long', 'promo_code', 'TOO_LONG', { ...valid, promo_code: 'X'.repeat(51) }],
  ])('%s → %s %s', (_name, field, code, input) => {
    const r = parseWith(schema, input);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toContainEqual(expect.objectContaining({ field, code }));
    for (const e of r.errors) expect(e.message.length).toBeGreaterThan(5);
  });

  it('rejects a body that is not an object', () => {
    expect(parseWith(schema, 'hello')).toMatchObject({ ok: false, errors: [{ field: '(body)', code: 'INVALID_TYPE' }] });
  });

  it('accepts +63 numbers and strips spaces and dashes', () => {
    const r = parseWith(schema, withAddress({ phone: '+63 917-123-4567' }));
    expect(r.ok && r.value.shipping_address.phone).toBe('+639171234567');
  });

  it('sums duplicate lines of one product and orders lines by product', () => {
    expect(mergeLines([{ product_id: 7, quantity: 2 }, { product_id: 3, quantity: 1 }, { product_id: 7, quantity: 4 }])).toEqual([
      { product_id: 3, quantity: 1, index: 1 },
      { product_id: 7, quantity: 6, index: 0 },
    ]);
  });
});

describe('validateCheckoutField (the rules the bot re-asks with)', () => {
  it.each([
    ['name', '  Juan   Dela Cruz ', true, 'Juan Dela Cruz'],
    ['name', 'J', false, null],
    ['phone', '0917 123 4567', true, '09171234567'],
    ['phone', '+639171234567', true, '+639171234567'],
    ['phone', '12345', false, null],
    ['address', '123 Test Street, Brgy. Test', true, '123 Test Street, Brgy. Test'],
    ['city', 'Manila', true, 'Manila'],
    ['province', 'Metro Manila', true, 'Metro Manila'],
    ['postal_code', '1000', true, '1000'],
    ['postal_code', 'ABCD', false, null],
  ] as const)('%s %j → ok %s', (field, value, ok, normalized) => {
    const r = checkField(field, value);
    expect(r.ok).toBe(ok);
    if (r.ok) expect(r.value).toBe(normalized);
    else expect(r.message).toMatch(/^Please enter/);
  });

  it('says REQUIRED for an empty answer', () => {
    expect(checkField('city', '   ')).toMatchObject({ ok: false, code: 'REQUIRED' });
  });
});

import { describe, expect, it } from 'vitest';
import { assessFraud, itemsSignature } from '../../../src/orders/fraud.js';
import { formatMoney, percentOf, toCentavos, toDecimal } from '../../../src/orders/money.js';
import { orderNumber } from '../../../src/orders/order-number.js';
import { checkClientTotals, computeTotals, promoDiscount, shippingFee, type Promo } from '../../../src/orders/pricing.js';

describe('money in centavos', () => {
  it.each([
    ['2100.00', 210000],
    ['0.1', 10],
    [2100, 210000],
    [0.1 + 0.2, 30],
    [19.99, 1999],
    ['abc', null],
    ['1.234', null],
    [1.234, null],
    [Number.NaN, null],
  ] as const)('toCentavos(%j) = %j', (input, expected) => {
    expect(toCentavos(input)).toBe(expected);
  });

  it('adds prices without float drift: 3 × ₱0.10 + ₱0.20 is exactly ₱0.50', () => {
    expect(toDecimal(3 * toCentavos('0.10')! + toCentavos('0.20')!)).toBe('0.50');
  });

  it.each([
    [2100, '₱2,100.00'],
    ['1234567.5', '₱1,234,567.50'],
    ['0.00', '₱0.00'],
    ['-15.5', '-₱15.50'],
  ] as const)('formatMoney(%j, PHP) = %s', (amount, text) => {
    expect(formatMoney(amount, 'PHP')).toBe(text);
  });

  it.each([
    ['USD', 2100, '$2,100.00'],
    ['USD', '1234567.5', '$1,234,567.50'],
    ['EUR', '0.1', '€0.10'],
    ['PHP', 999999999999, '₱9,999,999,999.99'],
  ] as const)('formats in the configured currency: %s %j', (currency, amount, text) => {
    expect(formatMoney(amount, currency, typeof amount === 'number' && amount > 1e9 ? 'centavos' : 'pesos')).toBe(text);
  });

  it('rounds a percentage half-up to the centavo', () => {
    expect(percentOf(toCentavos('99.99')!, 1000)).toBe(1000); // 10% of 99.99 = 9.999 → 10.00
    expect(percentOf(toCentavos('2000')!, 1250)).toBe(25000); // 12.5% of 2000 = 250
  });
});

describe('pricing', () => {
  const promo = (over: Partial<Promo> = {}): Promo => ({
    id: 1, code: 'SAVE10', discount_type: 'percent', discount_value: 1000, min_spend: 0, max_discount: null,
    starts_at: null, ends_at: null, usage_limit: null, per_user_limit: null, times_used: 0, is_active: true, ...over,
  });
  const now = new Date('2026-03-01T00:00:00Z');

  it('charges the rate unless the subtotal reaches free shipping', () => {
    expect(shippingFee({ province: 'X', fee: 10000, free_shipping_min: null }, 999999)).toBe(10000);
    expect(shippingFee({ province: 'X', fee: 10000, free_shipping_min: 300000 }, 300000)).toBe(0);
  });

  it.each([
    ['a percent promo', promo(), 200000, { ok: true, discount: 20000 }],
    ['a capped percent promo', promo({ max_discount: 5000 }), 200000, { ok: true, discount: 5000 }],
    ['a fixed promo larger than the subtotal', promo({ discount_type: 'fixed', discount_value: 500000 }), 200000, { ok: true, discount: 200000 }],
    ['below the minimum spend', promo({ min_spend: 300000 }), 200000, { ok: false }],
    ['not started', promo({ starts_at: new Date('2026-04-01T00:00:00Z') }), 200000, { ok: false }],
    ['ended', promo({ ends_at: new Date('2026-02-01T00:00:00Z') }), 200000, { ok: false }],
    ['used up', promo({ usage_limit: 5, times_used: 5 }), 200000, { ok: false }],
    ['inactive', promo({ is_active: false }), 200000, { ok: false }],
  ] as const)('%s', (_name, p, subtotal, expected) => {
    expect(promoDiscount(p, 'SAVE10', subtotal, now, 0, 'PHP')).toMatchObject(expected);
  });

  it('refuses a promo the user already used up to its per-user limit', () => {
    expect(promoDiscount(promo({ per_user_limit: 1 }), 'SAVE10', 200000, now, 1, 'PHP')).toMatchObject({ ok: false });
  });

  it('flags each client total that differs from the shop prices as TOTAL_MISMATCH', () => {
    const ours = computeTotals(200000, 10000, 0);
    expect(checkClientTotals({ subtotal: 200000, total_amount: 210000 }, ours, 'PHP')).toEqual([]);
    const errors = checkClientTotals({ subtotal: 190000, total_amount: 200000 }, ours, 'USD');
    expect(errors.map((e) => [e.field, e.code])).toEqual([['subtotal', 'TOTAL_MISMATCH'], ['total_amount', 'TOTAL_MISMATCH']]);
    expect(errors[0]!.message).toBe("subtotal is $2,000.00 at the shop's current prices, not $1,900.00");
  });
});

describe('fraud rules', () => {
  const cfg = { FRAUD_HIGH_VALUE: 50000, FRAUD_COD_LIMIT: 20000, FRAUD_MAX_ORDERS_PER_HOUR: 5, FRAUD_DUPLICATE_WINDOW_MINUTES: 10, FRAUD_VERIFY_SCORE: 50, CURRENCY: 'PHP' };
  const base = { total: 210000, payment_method: 'cod', orders_last_hour: 0, same_items_minutes_ago: null };

  it('gives an ordinary order no warnings', () => {
    expect(assessFraud(base, cfg)).toEqual({ score: 0, warnings: [], requires_verification: false });
  });

  it.each([
    ['HIGH_VALUE', { total: 5_000_000, payment_method: 'gcash' }],
    ['COD_ABOVE_LIMIT', { total: 2_500_000 }],
    ['HIGH_ORDER_RATE', { orders_last_hour: 5 }],
    ['DUPLICATE_ORDER', { same_items_minutes_ago: 3 }],
  ] as const)('flags %s', (code, facts) => {
    expect(assessFraud({ ...base, ...facts }, cfg).warnings.map((w) => w.code)).toEqual([code]);
  });

  it('requires admin verification when the score reaches FRAUD_VERIFY_SCORE', () => {
    const v = assessFraud({ ...base, total: 6_000_000 }, cfg); // high value and COD above limit
    expect(v.score).toBeGreaterThanOrEqual(50);
    expect(v.requires_verification).toBe(true);
  });

  it('compares items regardless of line order', () => {
    expect(itemsSignature([{ product_id: 9, quantity: 1 }, { product_id: 2, quantity: 3 }])).toBe('2x3,9x1');
  });
});

describe('order numbers', () => {
  it("use the shop's date, not the server's (Manila is UTC+8)", () => {
    expect(orderNumber(new Date('2026-01-01T17:00:00Z'), 'Asia/Manila')).toMatch(/^ORD-20260102-\d{5}$/);
    expect(orderNumber(new Date('2026-01-01T17:00:00Z'), 'UTC')).toMatch(/^ORD-20260101-\d{5}$/);
  });

  it('never repeat within one process and one shop day (a repeat is a certain clash on uq_orders_number)', () => {
    const day = new Date('2026-03-04T05:00:00Z');
    const numbers = Array.from({ length: 20_000 }, () => orderNumber(day, 'Asia/Manila'));
    expect(new Set(numbers).size).toBe(20_000);
    // a new day starts a new set: its numbers may reuse yesterday's suffixes
    expect(orderNumber(new Date('2026-03-05T05:00:00Z'), 'Asia/Manila')).toMatch(/^ORD-20260305-\d{5}$/);
  });
});

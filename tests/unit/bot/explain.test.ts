import { describe, expect, it } from 'vitest';
import { explainActionFailure, explainOrderFailure, who } from '../../../src/bot/explain.js';

describe('words for engine results', () => {
  it('names who moved an order', () => {
    expect(who('admin:3')).toBe('admin 3');
    expect(who('admin:Maria')).toBe('Maria');
    expect(who('customer:123')).toBe('the customer');
    expect(who('worker:reservation-expiry')).toBe('the system');
    expect(who(undefined)).toBe('someone');
  });

  it('tells the admin who lost a race who won and when, in the shop’s time zone', () => {
    const text = explainActionFailure(
      { success: false, error: 'x', code: 'INVALID_TRANSITION', current_status: 'confirmed', changed_by: 'admin:Maria', changed_at: '2026-11-26T07:00:00.000Z' },
      'ORD-1',
      'Asia/Manila',
    );
    expect(text).toBe('ORD-1 is already confirmed — by Maria at Nov 26, 2026, 3:00 PM. Nothing was changed.');
  });

  it('says which item is short and how many are left', () => {
    const text = explainOrderFailure({
      success: false, error: 'Insufficient stock', code: 'INSUFFICIENT_STOCK',
      validation_errors: [{ field: 'items[0].quantity', code: 'INSUFFICIENT_STOCK', message: 'Only 1 left of Rice cooker' }],
    });
    expect(text).toBe("Sorry, we don't have enough stock: Only 1 left of Rice cooker. Please change the quantity in your cart.");
  });
});

import { describe, expect, it } from 'vitest';
import { canTransition, isFinal, ORDER_TRANSITIONS, STATUS_NOTIFICATION } from '../../../src/orders/order-states.js';
import { ORDER_STATUSES, type OrderStatus } from '../../../src/orders/types.js';

const allowed: [OrderStatus, OrderStatus][] = [
  ['pending', 'confirmed'],
  ['pending', 'cancelled'],
  ['pending', 'expired'],
  ['confirmed', 'processing'],
  ['confirmed', 'cancelled'],
  ['processing', 'shipped'],
  ['shipped', 'delivered'],
];

describe('the order state machine', () => {
  it.each(allowed)('allows %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
  });

  it('forbids every other move (including staying put)', () => {
    for (const from of ORDER_STATUSES) {
      for (const to of ORDER_STATUSES) {
        const expected = allowed.some(([a, b]) => a === from && b === to);
        expect(canTransition(from, to), `${from} → ${to}`).toBe(expected);
      }
    }
  });

  it('has delivered, cancelled and expired as final states', () => {
    expect(ORDER_STATUSES.filter(isFinal)).toEqual(['delivered', 'cancelled', 'expired']);
  });

  it('names a customer notification for every status an order can move into', () => {
    const targets = new Set(Object.values(ORDER_TRANSITIONS).flat());
    for (const to of targets) expect(STATUS_NOTIFICATION[to], to).toMatch(/^order_/);
  });

  it('refuses to confirm a cancelled order and to expire a confirmed one', () => {
    expect(canTransition('cancelled', 'confirmed')).toBe(false);
    expect(canTransition('confirmed', 'expired')).toBe(false);
  });
});

import type { OrderStatus } from './types.js';

/**
 * The order state machine as plain data: for each status, the statuses it may move to.
 * pending → confirmed → processing → shipped → delivered; pending|confirmed → cancelled; pending → expired.
 */
export const ORDER_TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  pending: ['confirmed', 'cancelled', 'expired'],
  confirmed: ['processing', 'cancelled'],
  processing: ['shipped'],
  shipped: ['delivered'],
  delivered: [],
  cancelled: [],
  expired: [],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return ORDER_TRANSITIONS[from].includes(to);
}

export function isFinal(status: OrderStatus): boolean {
  return ORDER_TRANSITIONS[status].length === 0;
}

/** The customer notification each transition queues (none for a status the customer need not hear about). */
export const STATUS_NOTIFICATION: Partial<Record<OrderStatus, string>> = {
  confirmed: 'order_confirmed',
  processing: 'order_processing',
  shipped: 'order_shipped',
  delivered: 'order_delivered',
  cancelled: 'order_cancelled',
  expired: 'order_expired',
};

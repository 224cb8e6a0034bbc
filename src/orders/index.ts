/**
 * The order engine's public API. Everything the REST API, the bot and the workers need from orders,
 * products, shipping and reports goes through OrderService. Expected failures are result values with
 * stable codes (see types.ts); outages and bugs are thrown.
 */
export * from './types.js';
export type { FaultHook, OrderObserver, OrderService, OrderServiceDeps } from './service-api.js';
export { createOrderService } from './order-service.js';
export { formatMoney } from './money.js';
export { PAYMENT_LABELS, paymentLabel } from './payment-methods.js';
export { ORDER_TRANSITIONS, canTransition } from './order-states.js';
export type { DaySummary } from './day-summary.js';
export type { ProductField } from './catalog.js';

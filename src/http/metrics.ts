// STUB — the http helper replaces this file (issue 3). Keep the exported names and types.
import type { OrderObserver } from '../orders/index.js';

export interface Metrics {
  orderObserver: OrderObserver;
}

export function createMetrics(): Metrics {
  return { orderObserver: { orderCreated: () => undefined, orderFailed: () => undefined } };
}

// STUB — the engine helper replaces this file (issue 2). Keep the exported names and types.
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Db } from '../db/pool.js';
import type { ActionResult, CreateOrderContext, CreateOrderResult, OutboxPublisher } from './types.js';
export * from './types.js';

export interface OrderObserver {
  orderCreated(durationMs: number): void;
  orderFailed(code: string): void;
}

export interface OrderServiceDeps {
  db: Db;
  config: Config;
  logger: Logger;
  outbox: OutboxPublisher;
  observer?: OrderObserver;
  clock?: () => Date;
}

export interface OrderService {
  createOrder(data: unknown, context?: CreateOrderContext): Promise<CreateOrderResult>;
  confirmOrder(orderId: number, adminNotes?: string, actor?: string): Promise<ActionResult>;
  cancelOrder(orderId: number, reason: string, cancelledBy: string): Promise<ActionResult>;
  expireOrder(orderId: number, actor?: string): Promise<ActionResult>;
}

export function createOrderService(_deps: OrderServiceDeps): OrderService {
  const notYet = async (): Promise<never> => {
    throw new Error('order engine not implemented yet');
  };
  return { createOrder: notYet, confirmOrder: notYet, cancelOrder: notYet, expireOrder: notYet };
}

/**
 * The order engine's public contract. Result shapes follow the seed exactly; expected failures are
 * values with stable codes, outages and bugs are thrown.
 */
export const ORDER_STATUSES = ['pending', 'confirmed', 'processing', 'shipped', 'delivered', 'cancelled', 'expired'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export type ErrorCode =
  | 'REQUIRED'
  | 'INVALID_FORMAT'
  | 'INVALID_TYPE'
  | 'OUT_OF_RANGE'
  | 'TOO_LONG'
  | 'UNKNOWN_FIELD'
  | 'VALIDATION_FAILED'
  | 'USER_NOT_FOUND'
  | 'USER_BLOCKED'
  | 'PRODUCT_NOT_FOUND'
  | 'PRODUCT_INACTIVE'
  | 'INSUFFICIENT_STOCK'
  | 'TOTAL_MISMATCH'
  | 'INVALID_PROMO'
  | 'INVALID_PAYMENT_METHOD'
  | 'CART_ALREADY_ORDERED'
  | 'ORDER_NOT_FOUND'
  | 'INVALID_TRANSITION'
  | 'RESERVATION_EXPIRED'
  | 'INTERNAL_ERROR';

export interface ValidationError {
  field: string;
  message: string;
  code: ErrorCode;
}

export interface Warning {
  code: string;
  message: string;
}

export interface CreateOrderContext {
  /** who places it, for order_state_history.changed_by (e.g. 'customer:<psid>', 'admin:3', 'api') */
  actor?: string;
  order_source?: string;
  ip_address?: string | null;
  user_agent?: string | null;
  /** the bot's cart: a cart becomes at most one order (unique key) */
  cart_id?: number;
}

export type CreateOrderResult =
  | {
      success: true;
      order: { id: number; order_number: string; order_status: 'pending'; total_amount: number };
      warnings: Warning[];
      message: string;
      /** true when this cart had already become this order (idempotent replay) */
      replayed?: boolean;
    }
  | { success: false; error: string; code: ErrorCode; validation_errors: ValidationError[] };

export type ActionResult =
  | { success: true; message: string; order_status: OrderStatus }
  | {
      success: false;
      error: string;
      code: ErrorCode;
      /** for INVALID_TRANSITION: where the order is now, who moved it there and when */
      current_status?: OrderStatus;
      changed_by?: string;
      changed_at?: string;
    };

/** Rows the transaction wrote into the outbox tables; published to BullMQ after commit. */
export interface OutboxRows {
  notificationIds: number[];
  processingIds: number[];
}

export interface OutboxPublisher {
  /** Best effort: a failure is logged and the relay publishes the rows later. */
  publish(rows: OutboxRows): Promise<void>;
}

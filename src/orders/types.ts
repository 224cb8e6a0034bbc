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
  | 'PAYMENT_NOT_REQUIRED'
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
  /**
   * a caller's retry key, 1-64 printable ASCII characters: stored on the order in its own transaction
   * (unique key), so the same key is at most one order. Pass a hash scoped to the caller (the REST API
   * passes SHA-256 of admin, Idempotency-Key and request), never a client's clear key.
   */
  idempotency_key?: string;
}

export type CreateOrderResult =
  | {
      success: true;
      order: { id: number; order_number: string; order_status: OrderStatus; total_amount: number };
      warnings: Warning[];
      message: string;
      /** true when this cart or idempotency_key had already become this order (idempotent replay) */
      replayed?: boolean;
    }
  | { success: false; error: string; code: ErrorCode; validation_errors: ValidationError[] };

/** quoteOrder: what createOrder would charge now (pesos, like the seed's total_amount: 2100.0). */
export type QuoteResult =
  | {
      success: true;
      subtotal: number;
      shipping_fee: number;
      discount_amount: number;
      total_amount: number;
      /** the promo code as the shop knows it (upper case), null without one */
      promo_code: string | null;
      /** the lines as priced from the database, in the request's order (duplicates merged) */
      items: { product_id: number; name: string; quantity: number; unit_price: number; line_total: number }[];
      warnings: Warning[];
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
  /**
   * Admin broadcast rows (recipient_psid NULL) among the notification rows, kept apart: each only fans out
   * into one row per admin, so it is published where it takes none of the Send API rate limit's slots.
   * A broadcast left in notificationIds still reaches every admin, one limiter slot later.
   */
  broadcastIds?: number[];
}

export interface OutboxPublisher {
  /** Best effort: a failure is logged and the relay publishes the rows later. */
  publish(rows: OutboxRows): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Reading orders. Money is a DECIMAL string exactly as stored ('2100.00'); times are ISO-8601 UTC
// strings. Format money for people with formatMoney() from src/orders/money.ts, in the shop's CURRENCY ('₱2,100.00' for PHP).

export type PaymentStatus = 'unpaid' | 'proof_submitted' | 'paid' | 'refunded';

export interface OrderSummary {
  id: number;
  order_number: string;
  user_id: number;
  cart_id: number | null;
  order_status: OrderStatus;
  payment_method: string;
  payment_status: PaymentStatus;
  /** the attachment URL the proof came from (it expires within days) */
  payment_proof_url: string | null;
  /** the stored copy (media table); null until the worker stored it */
  payment_proof_media_id: number | null;
  /** why the last proof was not kept (refused or the download failed for good) */
  payment_proof_error: string | null;
  subtotal: string;
  shipping_fee: string;
  discount_amount: string;
  total_amount: string;
  promo_code: string | null;
  recipient_name: string;
  phone: string;
  shipping_address: string;
  city: string;
  province: string;
  postal_code: string;
  order_source: string;
  fraud_score: number;
  fraud_flags: Warning[];
  requires_verification: boolean;
  tracking_number: string | null;
  admin_notes: string | null;
  cancel_reason: string | null;
  error_count: number;
  confirmed_by: string | null;
  confirmed_at: string | null;
  cancelled_at: string | null;
  shipped_at: string | null;
  delivered_at: string | null;
  expires_at: string | null;
  created_at: string;
  updated_at: string;
  /** the ordering user (users row) */
  customer: { name: string; phone: string | null; psid: string | null };
}

export interface OrderItemView {
  id: number;
  product_id: number;
  product_name: string;
  sku: string | null;
  unit_price: string;
  quantity: number;
  line_total: string;
}

export type ReservationStatus = 'reserved' | 'committed' | 'released' | 'expired';

export interface ReservationView {
  id: number;
  product_id: number;
  quantity: number;
  status: ReservationStatus;
  expires_at: string | null;
  release_reason: string | null;
}

export interface StateHistoryEntry {
  id: number;
  from_status: OrderStatus | null;
  to_status: OrderStatus;
  changed_by: string;
  reason: string | null;
  created_at: string;
}

export interface OrderDetail extends OrderSummary {
  items: OrderItemView[];
  reservations: ReservationView[];
  history: StateHistoryEntry[];
}

export interface ListOrdersQuery {
  status?: OrderStatus;
  user_id?: number;
  /** 1..100 */
  limit: number;
  /** opaque, from the previous page's next_cursor (newest first) */
  cursor?: string;
}

export interface OrderPage {
  orders: OrderSummary[];
  next_cursor: string | null;
}

export interface ShipOrderInput {
  tracking_number?: string;
}

// ---------------------------------------------------------------------------------------------
// Product catalog

export type ProductStatus = 'active' | 'inactive';

export interface Product {
  id: number;
  sku: string | null;
  name: string;
  description: string | null;
  price: string;
  stock_quantity: number;
  reserved_quantity: number;
  /** stock_quantity − reserved_quantity */
  available_quantity: number;
  low_stock_threshold: number;
  status: ProductStatus;
  category: string | null;
  image_url: string | null;
  created_at: string;
  updated_at: string;
}

export interface ProductInput {
  name: string;
  /** pesos, e.g. 1000 or '1000.00' */
  price: number | string;
  stock_quantity?: number;
  sku?: string | null;
  description?: string | null;
  low_stock_threshold?: number;
  status?: ProductStatus;
  category?: string | null;
  image_url?: string | null;
}

export type ProductPatch = Partial<
  Pick<ProductInput, 'price' | 'status' | 'low_stock_threshold' | 'name' | 'description' | 'category' | 'image_url'>
>;

export type ProductErrorCode = ErrorCode | 'DUPLICATE_SKU' | 'STOCK_BELOW_RESERVED';

export type ProductResult =
  | { success: true; product: Product }
  | { success: false; error: string; code: ProductErrorCode; validation_errors: ValidationError[] };

export interface ListProductsQuery {
  /** default 'active'; 'all' lists both */
  status?: ProductStatus | 'all';
  category?: string;
  /** only products without a category (category is then ignored) */
  uncategorized?: boolean;
  /** matched against name, sku and description */
  search?: string;
  /** 1..100, default 20 */
  limit?: number;
  cursor?: string;
}

export interface ProductPage {
  products: Product[];
  next_cursor: string | null;
}

export interface CategorySummary {
  /** null: the active products that have no category */
  category: string | null;
  /** active products in it */
  product_count: number;
}

// ---------------------------------------------------------------------------------------------
// Checkout helpers for the bot

export interface ShippingQuote {
  province: string;
  /** the fee charged for this subtotal (0.00 when free shipping applies) */
  fee: string;
  /** the province's base fee */
  base_fee: string;
  free_shipping_min: string | null;
  is_free: boolean;
  /** 'province' when the province has its own rate, 'fallback' for the '*' rate */
  matched: 'province' | 'fallback';
}

export const CHECKOUT_FIELDS = ['name', 'phone', 'address', 'city', 'province', 'postal_code'] as const;
export type CheckoutField = (typeof CHECKOUT_FIELDS)[number];

export type FieldCheck =
  | { ok: true; value: string }
  | { ok: false; code: ErrorCode; message: string };

// ---------------------------------------------------------------------------------------------
// Reports: the seed's three monitoring dashboard queries, run unchanged

export interface ReportSummary {
  today: { total_orders: number; delivered: number; avg_processing_ms: number | null; total_errors: number };
  inventory_alerts: { name: string; stock_quantity: number; low_stock_threshold: number }[];
  processing_queue: { queue_type: string; status: string; count: number; avg_wait_minutes: number }[];
}

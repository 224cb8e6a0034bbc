/**
 * The order engine's service contract: what OrderService offers and what it is built from. Kept apart from
 * index.ts (the public re-exports) and order-service.ts (the implementation) so neither imports the other.
 */
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Db } from '../db/pool.js';
import type { HoldScheduler } from './live/live-types.js';
import type { ServerTraits } from '../db/server-traits.js';
import type {
  ActionResult,
  CategorySummary,
  CheckoutField,
  CreateOrderContext,
  CreateOrderResult,
  FieldCheck,
  ListOrdersQuery,
  ListProductsQuery,
  OrderDetail,
  OrderPage,
  OrderStatus,
  OutboxPublisher,
  Product,
  ProductPage,
  ProductResult,
  QuoteResult,
  ReportSummary,
  ShipOrderInput,
  ShippingQuote,
} from './types.js';
import type { ProductField } from './catalog.js';
import type { DaySummary } from './day-summary.js';

export interface OrderObserver {
  orderCreated(durationMs: number): void;
  orderFailed(code: string): void;
}

/** Test seam: called between the writes of a transaction; a throw there must roll everything back. */
export type FaultHook = (step: string) => void | Promise<void>;

export interface OrderServiceDeps {
  /** every query but the createOrder batch: a pool that refuses multi-statement queries (createPool) */
  db: Db;
  /** the createOrder batch's reads and one-round-trip transaction (createBatchPool) */
  batchDb: Db;
  config: Config;
  logger: Logger;
  outbox: OutboxPublisher;
  observer?: OrderObserver;
  clock?: () => Date;
  faultHook?: FaultHook;
  /** where order numbers come from (default ORD-YYYYMMDD-NNNNN, random suffix); a clash is retried */
  orderNumbers?: (now: Date) => string;
  /** what to assume of the database server instead of asking it (tests run MySQL's form on MariaDB) */
  serverTraits?: ServerTraits;
  /**
   * Expiry jobs for the live-sale holds a cancelled or expired order's units were given to (waitlist
   * promotion); without it the live-hold sweeper expires them.
   */
  liveHolds?: HoldScheduler;
}

export interface OrderService {
  // --- orders -------------------------------------------------------------------------------
  createOrder(data: unknown, context?: CreateOrderContext): Promise<CreateOrderResult>;
  /**
   * What createOrder(data) would charge now: the same validation, prices, promo, shipping and client
   * totals check (same codes, e.g. INVALID_PROMO), and nothing written. `cartId`: the chat cart being
   * quoted (the customer's own), whose live-sale holds count as available to it, as createOrder counts them.
   */
  quoteOrder(data: unknown, cartId?: number | null): Promise<QuoteResult>;
  confirmOrder(orderId: number, adminNotes?: string, actor?: string): Promise<ActionResult>;
  /**
   * pending|confirmed → cancelled. Pass expectedStatus when the cancel answers a specific state (the
   * admin's Cancel on a new-order alert means "cancel this PENDING order": if another admin confirmed it
   * meanwhile, the cancel is refused with INVALID_TRANSITION naming who confirmed it and when).
   */
  cancelOrder(orderId: number, reason: string, cancelledBy: string, expectedStatus?: OrderStatus): Promise<ActionResult>;
  /** for the reservation-expiry worker; a non-pending order is INVALID_TRANSITION (nothing changes) */
  expireOrder(orderId: number, actor?: string): Promise<ActionResult>;
  /** confirmed → processing (the fulfilment worker) */
  markProcessing(orderId: number, actor?: string): Promise<ActionResult>;
  /** processing → shipped (confirmed is also accepted: it passes through processing) */
  shipOrder(orderId: number, input?: ShipOrderInput, actor?: string): Promise<ActionResult>;
  deliverOrder(orderId: number, actor?: string): Promise<ActionResult>;
  /** notes the attachment URL and queues its download (a 'proof_download' job row); see payment-proof.ts */
  attachPaymentProof(orderId: number, url: string, actor?: string): Promise<ActionResult>;
  /** the downloaded copy is stored (media id): payment_status → proof_submitted and an admin 'payment_proof' broadcast */
  storePaymentProof(orderId: number, mediaId: number, actor?: string): Promise<ActionResult>;
  /** the proof was refused (refused=true: the customer is told why) or could not be downloaded (the admins are told) */
  paymentProofFailed(orderId: number, reason: string, refused: boolean): Promise<ActionResult>;
  getOrder(orderId: number): Promise<OrderDetail | null>;
  getOrderByNumber(orderNumber: string): Promise<OrderDetail | null>;
  listOrders(query: ListOrdersQuery): Promise<OrderPage>;

  // --- catalog ------------------------------------------------------------------------------
  listProducts(query?: ListProductsQuery): Promise<ProductPage>;
  getProduct(productId: number): Promise<Product | null>;
  createProduct(input: unknown): Promise<ProductResult>;
  updateProduct(productId: number, patch: unknown): Promise<ProductResult>;
  /** restock (delta > 0) or adjust; never below what is reserved (STOCK_BELOW_RESERVED) */
  adjustStock(productId: number, delta: number, reason: string, actor?: string): Promise<ProductResult>;
  /** a count: stock on hand becomes `stock`; the same rule and history as adjustStock (inventory.ts) */
  setStock(productId: number, stock: number, reason: string, actor?: string): Promise<ProductResult>;
  listCategories(): Promise<CategorySummary[]>;
  /** hide (inactive) or show (active) a product; recorded in inventory_adjustments like a stock change */
  setVisibility(productId: number, visible: boolean, actor?: string): Promise<ProductResult>;
  /** one field of a new product checked by createProduct's own rule (the chat asks them one by one) */
  checkProductField(field: ProductField, value: unknown): { ok: true; value: unknown } | { ok: false; message: string };

  // --- checkout helpers -----------------------------------------------------------------------
  quoteShipping(province: string, subtotal: number | string): Promise<ShippingQuote>;
  /** the engine's own rule for one shipping field: the bot re-asks with the same message */
  validateCheckoutField(field: CheckoutField, value: string): FieldCheck;

  // --- reports ----------------------------------------------------------------------------------
  reportSummary(): Promise<ReportSummary>;
  /** the shop's day: orders by status and revenue from vw_daily_order_summary, best sellers, low stock */
  daySummary(): Promise<DaySummary>;
}

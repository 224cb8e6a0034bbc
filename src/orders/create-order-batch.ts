import type { RowDataPacket } from 'mysql2';
import type { Conn } from '../db/pool.js';
import type { ServerTraits } from '../db/server-traits.js';
import { SqlBatch } from '../db/sql-batch.js';
import type { EngineContext } from './engine-context.js';
import { toDecimal } from './money.js';
import type { CheckedOrder } from './order-checks.js';
import { OUTBOX_ID_COLUMNS, RESET_OUTBOX_IDS, batchNewOrderNotifications, batchNewOrderProcessing, newOrderOutboxIds, type NotificationRow } from './outbox.js';
import { promoPerUserMessage } from './pricing.js';
import type { OrderInput } from './schemas.js';
import * as q from './sql/create-order-sql.js';
import { parseIds } from './tx.js';
import type { CreateOrderContext } from './types.js';

/**
 * createOrder's writes as ONE transaction sent in ONE round trip (a SqlBatch ending in COMMIT):
 * START TRANSACTION → the order (its id into @qs_order_id) → cart checked out → a reservation per
 * line (sp_reserve_inventory: the inventory rule's one home) → items → outbox rows → promo use →
 * metrics → COMMIT. Any failing statement stops the batch before COMMIT and the caller rolls back:
 * a product out of stock (the procedure's SIGNAL), a promo over its limit (chk_promo_usage), a
 * duplicate cart or key, an order-number clash. No row lock is held across a network round trip.
 *
 * Only an order with a per-customer-limited promo takes one round trip first: the customer's row is
 * locked and their uses counted, and JavaScript decides before the batch is sent.
 */
export interface WrittenOrder {
  id: number;
  number: string;
  notificationIds: number[];
  processingIds: number[];
}

export class PromoUsedUp extends Error {}

/** What createOrder decided before writing. */
export interface OrderPlan {
  input: OrderInput;
  order: CheckedOrder;
  context: CreateOrderContext;
  expiresAt: Date;
  /** asked before the transaction takes its connection (the pool may have only one) */
  traits: ServerTraits;
  /** performance.now() when createOrder started and when its checks ended */
  started: number;
  checked: number;
}

export async function writeOrder(ctx: EngineContext, conn: Conn, plan: OrderPlan): Promise<WrittenOrder> {
  const { order, traits } = plan;
  const b = new SqlBatch(conn, { compound: traits.compoundStatements });
  const promo = order.promo;
  if (promo?.per_user_limit != null) {
    // the pre-check read without locks; two orders of one customer could both pass it. The user's row
    // is locked before the order insert (whose foreign key would take a shared lock on it first)
    await conn.beginTransaction();
    await conn.query(q.LOCK_USER, [order.user.id]);
    const [[used]] = await conn.query<RowDataPacket[]>(q.COUNT_PROMO_USES_LOCKED, [order.user.id, promo.code]);
    if (Number(used!.n) >= promo.per_user_limit) throw new PromoUsedUp(promoPerUserMessage(promo.code));
  } else {
    b.add('START TRANSACTION');
  }
  const number = ctx.nextOrderNumber();
  const notificationRows = await addOrderStatements(ctx, b, plan, number);
  const idsAt = b.select(`SELECT @qs_order_id AS order_id, CAST(@qs_low_stock_ids AS CHAR) AS low_stock_ids, ${OUTBOX_ID_COLUMNS}`);
  b.add('COMMIT');

  const sets = await b.run();
  const ids = sets[idsAt]![0];
  const outbox = newOrderOutboxIds(ids, notificationRows, traits.idStep);
  return {
    id: Number(ids?.order_id),
    number,
    // plus the low-stock admin alerts that the reservations' product updates queued
    notificationIds: [...outbox.notificationIds, ...parseIds(ids?.low_stock_ids)],
    processingIds: outbox.processingIds,
  };
}

/**
 * One order's writes, from its row to its metrics, added to a batch that has its transaction open
 * (writeOrder's own, or a group's: group-commit.ts). Leaves the new ids in session variables
 * (@qs_order_id, @qs_low_stock_ids, OUTBOX_ID_COLUMNS). Returns how many notification rows it queues.
 */
export async function addOrderStatements(ctx: EngineContext, b: SqlBatch, plan: OrderPlan, number: string): Promise<number> {
  const { input, order, context, expiresAt, traits } = plan;
  const promo = order.promo;
  b.add(q.INSERT_ORDER, orderValues(input, order, context, expiresAt, number));
  b.add(q.SET_NEW_ORDER_ID);
  await fault(ctx, b, 'after_order_insert');
  if (context.cart_id) {
    b.add(q.CHECK_OUT_CART, [context.cart_id, order.user.id]);
    // live-sale holds the cart carries become the order's reservations below, with no gap between
    b.add(q.ADOPT_CART_HOLDS, [context.cart_id]);
  }
  for (const l of order.lines) b.add(q.CALL_RESERVE, [l.product_id, l.quantity, expiresAt]);
  b.add(q.MARK_RESERVED);
  await fault(ctx, b, 'after_reserve');
  // items after the reservation: their foreign key takes a shared lock on the product row, which
  // must come after our exclusive one (shared-then-exclusive by many buyers deadlocks)
  b.add(q.INSERT_ITEMS, [order.lines.map((l) => [q.NEW_ORDER_ID, l.product_id, l.name, l.sku, toDecimal(l.unit_price), l.quantity, toDecimal(l.line_total)])]);
  await fault(ctx, b, 'after_items');
  const messages = orderMessages(input, order, number, expiresAt);
  b.add(RESET_OUTBOX_IDS);
  batchNewOrderNotifications(b, messages, traits.idStep);
  batchNewOrderProcessing(b, 'reservation_expiry', { order_number: number, expires_at: expiresAt.toISOString() }, expiresAt);
  await fault(ctx, b, 'after_outbox');
  // late, like the reservation: every transaction locks products first, then the promo
  if (promo) b.add(q.USE_PROMO, [promo.id]);
  // in the transaction: one commit (one log flush) per order, not two. The JavaScript part of each
  // duration is bound; the server adds its own part (since the order row) when the row is written
  const now = performance.now();
  b.add(q.INSERT_METRICS, [
    Math.round(plan.checked - plan.started),
    Math.round(now - plan.checked),
    Math.round(now - plan.started),
    order.lines.reduce((s, l) => s + l.quantity, 0),
  ]);
  return messages.length;
}

/**
 * The test seam between two writes (EngineContext.fault): a hook that throws at this step becomes a
 * SIGNAL with its message at this point of the batch, so the server fails right there, after the
 * writes before it ran, exactly like a real error between two statements.
 */
async function fault(ctx: EngineContext, b: SqlBatch, step: string): Promise<void> {
  try {
    await ctx.fault(step);
  } catch (err) {
    b.add(`SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = ?`, [String((err as Error).message).slice(0, 128)]);
  }
}

function orderValues(input: OrderInput, order: CheckedOrder, context: CreateOrderContext, expiresAt: Date, number: string): unknown[] {
  const a = input.shipping_address;
  const t = order.totals;
  return [
    number, order.user.id, context.cart_id ?? null, input.payment_method,
    toDecimal(t.subtotal), toDecimal(t.shipping_fee), toDecimal(t.discount_amount), toDecimal(t.total_amount),
    order.promo?.code ?? null, a.recipient_name, a.phone, a.address, a.city, a.province, a.postal_code,
    context.order_source ?? input.order_source ?? 'api', context.ip_address ?? input.ip_address ?? null,
    (context.user_agent ?? input.user_agent ?? null)?.slice(0, 500) ?? null,
    order.fraud.score, JSON.stringify(order.fraud.warnings), order.fraud.requires_verification, expiresAt,
    order.signature, (context.actor ?? 'api').slice(0, 100), context.idempotency_key ?? null,
  ];
}

/** The customer's receipt row (if we can reach them) and ONE admin broadcast row; order_id is added in SQL. */
function orderMessages(input: OrderInput, order: CheckedOrder, number: string, expiresAt: Date): NotificationRow[] {
  const t = order.totals;
  const items = order.lines.map((l) => ({
    product_id: l.product_id,
    name: l.name,
    quantity: l.quantity,
    unit_price: toDecimal(l.unit_price),
    line_total: toDecimal(l.line_total),
  }));
  const money = {
    subtotal: toDecimal(t.subtotal),
    shipping_fee: toDecimal(t.shipping_fee),
    discount_amount: toDecimal(t.discount_amount),
    total_amount: toDecimal(t.total_amount),
  };
  const base = { order_number: number, items, ...money, payment_method: input.payment_method, promo_code: order.promo?.code ?? null, shipping_address: input.shipping_address };
  const rows: NotificationRow[] = [];
  if (order.user.psid) {
    const payload = { ...base, customer_name: order.user.name, expires_at: expiresAt.toISOString() };
    rows.push({ recipient_type: 'customer', recipient_psid: order.user.psid, type: 'order_received', payload });
  }
  rows.push({
    recipient_type: 'admin',
    recipient_psid: null,
    type: 'new_order_admin',
    payload: {
      ...base,
      customer: { name: order.user.name, phone: order.user.phone, psid: order.user.psid },
      warnings: order.fraud.warnings,
      fraud_score: order.fraud.score,
      requires_verification: order.fraud.requires_verification,
    },
  });
  return rows;
}

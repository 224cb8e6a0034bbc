import type { RowDataPacket } from 'mysql2';
import type { Conn } from '../db/pool.js';
import type { ServerTraits } from '../db/server-traits.js';
import { SqlBatch } from '../db/sql-batch.js';
import type { EngineContext } from './engine-context.js';
import { toDecimal } from './money.js';
import type { CheckedOrder } from './order-checks.js';
import { payloadText, type NotificationRow } from './outbox.js';
import { promoPerUserMessage } from './pricing.js';
import type { OrderInput } from './schemas.js';
import * as q from './sql/create-order-sql.js';
import { parseIds } from './tx.js';
import type { CreateOrderContext } from './types.js';

/**
 * createOrder's writes as ONE transaction sent in ONE round trip (a SqlBatch ending in COMMIT):
 * START TRANSACTION → CALL sp_place_order (migration 071: the order, cart checked out, a reservation per
 * line through sp_reserve_inventory — the inventory rule's one home — items, outbox rows, promo use,
 * metrics) → SELECT of what it wrote → COMMIT. The procedure is parsed once per connection; the order's
 * ~24 statements as a compound statement were parsed anew for every order. Any failing statement stops
 * the batch before COMMIT and the caller rolls back: a product out of stock (the procedure's SIGNAL), a
 * promo over its limit (chk_promo_usage), a duplicate cart or key, an order-number clash. No row lock is
 * held across a network round trip.
 *
 * Only an order with a per-customer-limited promo takes one round trip first: the customer's row is
 * locked and their uses counted, and JavaScript decides before the batch is sent.
 */
export interface WrittenOrder {
  id: number;
  number: string;
  notificationIds: number[];
  /** the new-order alert and the low-stock alerts: admin broadcasts (OutboxRows.broadcastIds) */
  broadcastIds: number[];
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
  await addPlaceOrder(ctx, b, plan, number, { slot: 0, grouped: false });
  const at = b.select(q.SELECT_PLACED(1));
  b.add('COMMIT');
  const row = (await b.run())[at]![0]!;
  return placedOrder(number, row.r0 as string);
}

/**
 * One order's CALL sp_place_order, added to a batch that has its transaction open (writeOrder's own, or a
 * group's: group-commit.ts). Its outcome lands in @qs_r<slot> (placedOrder reads it) and, when grouped and
 * rolled back to its savepoint, its error number in @qs_e<slot>.
 */
export async function addPlaceOrder(ctx: EngineContext, b: SqlBatch, plan: OrderPlan, number: string, at: { slot: number; grouped: boolean }): Promise<void> {
  const { input, order, context, expiresAt } = plan;
  const failure = await faultAt(ctx);
  const messages = orderMessages(input, order, number, expiresAt);
  const customer = messages.find((m) => m.recipient_type === 'customer');
  const admin = messages.find((m) => m.recipient_type === 'admin')!;
  // in the transaction: one commit (one log flush) per order, not two. The JavaScript part of each
  // duration is bound; the server adds its own part (since the order row) when the row is written
  const now = performance.now();
  b.add(q.CALL_PLACE_ORDER(at.slot), [
    ...orderValues(input, order, context, expiresAt, number),
    // items after the reservations, in product id order (order-checks.ts sorts the lines)
    JSON.stringify(order.lines.map((l) => [l.product_id, l.quantity, l.name, l.sku, toDecimal(l.unit_price), toDecimal(l.line_total)])),
    customer?.recipient_psid ?? null,
    customer ? payloadText(customer.payload) : null,
    payloadText(admin.payload),
    payloadText({ order_number: number, expires_at: expiresAt.toISOString() }),
    order.promo?.id ?? null,
    Math.round(plan.checked - plan.started),
    Math.round(now - plan.checked),
    Math.round(now - plan.started),
    order.lines.reduce((s, l) => s + l.quantity, 0),
    failure?.step ?? null,
    failure?.message ?? null,
    at.grouped,
  ]);
}

/**
 * @qs_r<slot> ('order id|low-stock ids|notification ids|processing id') → the order written. The procedure
 * writes the customer's receipt (when it has a PSID) and then the admins' broadcast, so the broadcast is the
 * last notification id; the low-stock alerts the reservations' product updates queued are broadcasts too.
 */
export function placedOrder(number: string, result: string): WrittenOrder {
  const [orderId, lowStock, notificationIds, processingId] = result.split('|');
  const ids = parseIds(notificationIds);
  return {
    id: Number(orderId),
    number,
    notificationIds: ids.slice(0, -1),
    broadcastIds: [...ids.slice(-1), ...parseIds(lowStock)],
    processingIds: parseIds(processingId),
  };
}

/** The test seam between two writes (EngineContext.fault), asked for every step as before. */
const FAULT_STEPS = ['after_order_insert', 'after_reserve', 'after_items', 'after_outbox'] as const;

/**
 * The first step whose hook throws: the procedure raises that error (SQLSTATE 45000, its message) at
 * that point, after the writes before it ran, exactly like a real error between two statements.
 */
async function faultAt(ctx: EngineContext): Promise<{ step: string; message: string } | null> {
  let first: { step: string; message: string } | null = null;
  for (const step of FAULT_STEPS) {
    try {
      await ctx.fault(step);
    } catch (err) {
      first ??= { step, message: String((err as Error).message).slice(0, 128) };
    }
  }
  return first;
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

import type { ResultSetHeader, RowDataPacket } from 'mysql2';
import type { Conn } from '../db/pool.js';
import { errorCodeOf, publishAfterCommit, recordError, type EngineContext } from './engine-context.js';
import { checkOrder, stockMessage, type CheckedOrder } from './order-checks.js';
import { toDecimal, toPesos } from './money.js';
import { promoLimitMessage, promoPerUserMessage } from './pricing.js';
import { jsonOf } from './rows.js';
import { queueNotifications, queueProcessing, type NotificationRow } from './outbox.js';
import { parseWith, type OrderInput } from './schemas.js';
import * as q from './sql/create-order-sql.js';
import { isDuplicateKey, parseIds, runTx, signalOf } from './tx.js';
import type { CreateOrderContext, CreateOrderResult, ErrorCode, OrderStatus, ValidationError, Warning } from './types.js';

/**
 * createOrder: validate → price from the database → promo, shipping, fraud → ONE transaction that
 * inserts the order, counts the promo, queues the outbox rows, reserves stock and inserts the items
 * (reservation late, so the product rows stay locked for as short as possible) → commit →
 * order_metrics → publish the outbox.
 */
class StockLost extends Error {
  constructor(readonly productId: number) {
    super(`stock ran out for product ${productId}`);
  }
}
class PromoUsedUp extends Error {}

/** The insert hit uq_orders_cart or uq_orders_idempotency_key: this call repeats a committed order. */
class AlreadyOrdered extends Error {}

const ORDER_NUMBER_ATTEMPTS = 8;
const IDEMPOTENCY_KEY_FORMAT = /^[\x21-\x7e]{1,64}$/;

export async function createOrder(ctx: EngineContext, data: unknown, context: CreateOrderContext = {}): Promise<CreateOrderResult> {
  const t0 = performance.now();
  if (context.idempotency_key !== undefined && !IDEMPOTENCY_KEY_FORMAT.test(context.idempotency_key)) {
    throw new TypeError('createOrder: context.idempotency_key must be 1-64 printable ASCII characters (pass a hash)');
  }
  const earlier = await findReplay(ctx, context);
  if (earlier) return earlier;
  const parsed = parseWith(ctx.orderSchema, data);
  if (!parsed.ok) return rejected(ctx, 'VALIDATION_FAILED', parsed.errors, 'Validation failed');
  const input = parsed.value;
  let checked: Awaited<ReturnType<typeof checkOrder>>;
  try {
    checked = await checkOrder(ctx, input);
  } catch (err) {
    await failed(ctx, err, { user_id: input.user_id, details: { stage: 'checks', cart_id: context.cart_id ?? null } });
    throw err;
  }
  if (!checked.ok) return rejected(ctx, checked.code, checked.errors);
  const order = checked.order;
  const tChecked = performance.now();

  const expiresAt = new Date(ctx.clock().getTime() + ctx.config.RESERVATION_TTL_MINUTES * 60_000);
  let tReserve = 0;
  const idStep = await ctx.idStep();
  let written: { id: number; number: string; notificationIds: number[]; processingIds: number[] };
  try {
    written = await runTx(ctx.db, async (conn) => {
      const promo = order.promo;
      if (promo?.per_user_limit != null) {
        // the pre-check read without locks; two orders of one customer could both pass it. The user's
        // row is locked before the order insert (whose foreign key would take a shared lock on it first)
        await conn.query(q.LOCK_USER, [order.user.id]);
        const [[used]] = await conn.query<RowDataPacket[]>(q.COUNT_PROMO_USES_LOCKED, [order.user.id, promo.code]);
        if (Number(used!.n) >= promo.per_user_limit) throw new PromoUsedUp(promoPerUserMessage(promo.code));
      }
      const { id, number } = await insertOrder(ctx, conn, input, order, context, expiresAt);
      await ctx.fault('after_order_insert');
      if (context.cart_id) await conn.query(q.CHECK_OUT_CART, [context.cart_id]);
      const notificationIds = await queueOrderMessages(conn, id, number, input, order, expiresAt, idStep);
      const processingIds = [
        await queueProcessing(conn, id, 'reservation_expiry', { order_id: id, order_number: number, expires_at: expiresAt.toISOString() }, expiresAt),
      ];
      await ctx.fault('before_reserve');
      const r0 = performance.now();
      for (const line of order.lines) {
        try {
          const [results] = await conn.query<RowDataPacket[][]>(q.CALL_RESERVE, [id, line.product_id, line.quantity, expiresAt]);
          notificationIds.push(...parseIds(results[0]?.[0]?.low_stock_ids)); // low-stock alerts its update queued
        } catch (err) {
          if (signalOf(err)?.code === 'INSUFFICIENT_STOCK') throw new StockLost(line.product_id);
          throw err;
        }
      }
      tReserve = performance.now() - r0;
      await ctx.fault('after_reserve');
      // items after the reservation: their foreign key takes a shared lock on the product row, which
      // must come after our exclusive one (shared-then-exclusive by many buyers deadlocks)
      await conn.query(q.INSERT_ITEMS, [
        order.lines.map((l) => [id, l.product_id, l.name, l.sku, toDecimal(l.unit_price), l.quantity, toDecimal(l.line_total)]),
      ]);
      await ctx.fault('after_items');
      if (order.promo) {
        // late, like the reservation: a popular code's row stays locked only until commit; every
        // transaction locks products first, then the promo, so they cannot deadlock on the pair
        const [res] = await conn.query<ResultSetHeader>(q.USE_PROMO, [order.promo.id]);
        if (res.affectedRows === 0) throw new PromoUsedUp(promoLimitMessage(order.promo.code));
      }
      // in the transaction: one commit (one log flush) per order, not two
      await conn.query(q.INSERT_METRICS, [
        id, Math.round(tChecked - t0), Math.round(tReserve), Math.round(performance.now() - tChecked), Math.round(performance.now() - t0),
        order.lines.reduce((s, l) => s + l.quantity, 0),
      ]);
      return { id, number, notificationIds, processingIds };
    });
  } catch (err) {
    if (err instanceof AlreadyOrdered) {
      // the other call committed first (our insert waited for it on the unique key); ours rolled back
      const existing = await findReplay(ctx, context);
      if (existing) return existing;
    }
    if (err instanceof StockLost) {
      const line = order.lines.find((l) => l.product_id === err.productId)!;
      const [rows] = await ctx.db.query<RowDataPacket[]>(q.SELECT_PRODUCTS, [[err.productId]]);
      const available = Number(rows[0]?.available ?? 0);
      return rejected(ctx, 'INSUFFICIENT_STOCK', [
        { field: `items.${line.index}.quantity`, code: 'INSUFFICIENT_STOCK', message: stockMessage(line.name, available) },
      ]);
    }
    if (err instanceof PromoUsedUp) {
      return rejected(ctx, 'INVALID_PROMO', [
        { field: 'promo_code', code: 'INVALID_PROMO', message: err.message },
      ]);
    }
    const items = order.lines.map((l) => ({ product_id: l.product_id, quantity: l.quantity }));
    await failed(ctx, err, { user_id: order.user.id, details: { stage: 'transaction', cart_id: context.cart_id ?? null, items } });
    throw err;
  }

  ctx.observer?.orderCreated(performance.now() - t0);
  await publishAfterCommit(ctx, { notificationIds: written.notificationIds, processingIds: written.processingIds });
  return {
    success: true,
    order: { id: written.id, order_number: written.number, order_status: 'pending', total_amount: toPesos(order.totals.total_amount) },
    warnings: order.fraud.warnings,
    message: 'Order created successfully',
  };
}

async function insertOrder(
  ctx: EngineContext,
  conn: Conn,
  input: OrderInput,
  order: CheckedOrder,
  context: CreateOrderContext,
  expiresAt: Date,
): Promise<{ id: number; number: string }> {
  const a = input.shipping_address;
  const t = order.totals;
  for (let attempt = 1; ; attempt++) {
    const number = ctx.nextOrderNumber();
    try {
      const [res] = await conn.query<ResultSetHeader>(q.INSERT_ORDER, [
        number, order.user.id, context.cart_id ?? null, input.payment_method,
        toDecimal(t.subtotal), toDecimal(t.shipping_fee), toDecimal(t.discount_amount), toDecimal(t.total_amount),
        order.promo?.code ?? null, a.recipient_name, a.phone, a.address, a.city, a.province, a.postal_code,
        context.order_source ?? input.order_source ?? 'api', context.ip_address ?? input.ip_address ?? null,
        (context.user_agent ?? input.user_agent ?? null)?.slice(0, 500) ?? null,
        order.fraud.score, JSON.stringify(order.fraud.warnings), order.fraud.requires_verification, expiresAt,
        order.signature, (context.actor ?? 'api').slice(0, 100), context.idempotency_key ?? null,
      ]);
      return { id: res.insertId, number };
    } catch (err) {
      if (isDuplicateKey(err, 'uq_orders_cart') || isDuplicateKey(err, 'uq_orders_idempotency_key')) throw new AlreadyOrdered();
      // a clash on the random suffix only fails this statement; retry with another number
      if (isDuplicateKey(err, 'uq_orders_number') && attempt < ORDER_NUMBER_ATTEMPTS) continue;
      throw err;
    }
  }
}

/** The customer's receipt row (if we can reach them) and ONE admin broadcast row. */
async function queueOrderMessages(
  conn: Conn,
  id: number,
  number: string,
  input: OrderInput,
  order: CheckedOrder,
  expiresAt: Date,
  idStep: number | null,
): Promise<number[]> {
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
  const base = { order_id: id, order_number: number, items, ...money, payment_method: input.payment_method, promo_code: order.promo?.code ?? null, shipping_address: input.shipping_address };
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
  return queueNotifications(conn, id, rows, idStep);
}

/** The order this call repeats (same cart or same idempotency_key), as a replayed success; else null. */
async function findReplay(ctx: EngineContext, context: CreateOrderContext): Promise<CreateOrderResult | null> {
  const cartId = context.cart_id ?? null;
  const key = context.idempotency_key ?? null;
  if (cartId === null && key === null) return null;
  const [rows] = await ctx.db.query<RowDataPacket[]>(q.SELECT_ORDER_REPLAY, [cartId, key]);
  const r = rows[0];
  if (!r) return null;
  const flags = jsonOf(r.fraud_flags);
  return {
    success: true,
    order: { id: Number(r.id), order_number: r.order_number as string, order_status: r.order_status as OrderStatus, total_amount: Number(r.total_amount) },
    warnings: (flags ?? []) as Warning[],
    message: Number(r.same_cart) === 1 ? 'This cart was already ordered' : 'This order was already placed',
    replayed: true,
  };
}

/** An unexpected failure: an order_errors row, the observer, a log line (the caller rethrows). */
async function failed(ctx: EngineContext, err: unknown, at: { user_id: number; details: object }): Promise<void> {
  await recordError(ctx, { operation: 'create', user_id: at.user_id, code: errorCodeOf(err), message: (err as Error).message, details: at.details });
  ctx.observer?.orderFailed('INTERNAL_ERROR');
  ctx.logger.error({ err: (err as Error).message, user_id: at.user_id }, 'createOrder failed; nothing was written');
}

function rejected(ctx: EngineContext, code: ErrorCode, errors: ValidationError[], error?: string): CreateOrderResult {
  ctx.observer?.orderFailed(code);
  return { success: false, error: error ?? errors[0]?.message ?? code, code, validation_errors: errors };
}

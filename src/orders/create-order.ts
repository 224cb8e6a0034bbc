import type { RowDataPacket } from 'mysql2';
import { errorCodeOf, publishAfterCommit, recordError, type EngineContext } from './engine-context.js';
import { PromoUsedUp, writeOrder, type WrittenOrder } from './create-order-batch.js';
import type { GroupCommit } from './group-commit.js';
import { stockMessage } from './order-checks.js';
import { priceOrder } from './price-order.js';
import { toPesos } from './money.js';
import { promoLimitMessage } from './pricing.js';
import { jsonOf } from './rows.js';
import * as q from './sql/create-order-sql.js';
import { isCheckViolation, isDuplicateKey, runTx, signalOf } from './tx.js';
import type { CreateOrderContext, CreateOrderResult, ErrorCode, OrderStatus, ValidationError, Warning } from './types.js';

/**
 * createOrder: validate → price from the database → promo, shipping, fraud → ONE transaction, sent in
 * one round trip (create-order-batch.ts), that inserts the order, queues the outbox rows, reserves
 * stock, inserts the items, counts the promo and records order_metrics → publish the outbox.
 * Expected failures inside it (stock ran out since the checks, promo used up, a repeated cart or
 * idempotency key) roll it back and come back as result values.
 */
const ORDER_NUMBER_ATTEMPTS = 8;
const IDEMPOTENCY_KEY_FORMAT = /^[\x21-\x7e]{1,64}$/;

/**
 * The engine context plus the group commit, which only createOrder uses. Kept out of EngineContext so that
 * engine-context.ts does not import group-commit.ts, which imports it back (an import cycle).
 */
export type CreateOrderEngine = EngineContext & { groupCommit: GroupCommit };

export async function createOrder(ctx: CreateOrderEngine, data: unknown, context: CreateOrderContext = {}): Promise<CreateOrderResult> {
  const t0 = performance.now();
  if (context.idempotency_key !== undefined && !IDEMPOTENCY_KEY_FORMAT.test(context.idempotency_key)) {
    throw new TypeError('createOrder: context.idempotency_key must be 1-64 printable ASCII characters (pass a hash)');
  }
  // the cart's owner as the caller gives it (checked by the schema below; until then only a lookup key)
  const ownerId = (data as { user_id?: unknown } | null)?.user_id;
  const userId = Number.isSafeInteger(ownerId) ? (ownerId as number) : null;
  const earlier = await findReplay(ctx, context, userId);
  if (earlier) return earlier;
  const priced = await priceOrder(ctx, data, context.cart_id ?? null, (err, input) =>
    failed(ctx, err, { user_id: input.user_id, details: { stage: 'checks', cart_id: context.cart_id ?? null } }),
  );
  if (!priced.ok) return rejected(ctx, priced.code, priced.errors, priced.error);
  const { input, order } = priced;
  const tChecked = performance.now();

  const expiresAt = new Date(ctx.clock().getTime() + ctx.config.RESERVATION_TTL_MINUTES * 60_000);
  const plan = { input, order, context, expiresAt, traits: await ctx.serverTraits(), started: t0, checked: tChecked };
  let written: WrittenOrder;
  for (let attempt = 1; ; attempt++) {
    try {
      // first with whatever other orders are being written now (group-commit.ts); alone if it must be
      const grouped = attempt === 1 ? await ctx.groupCommit.write(plan) : null;
      written = grouped ?? (await runTx(ctx.batchDb, (conn) => writeOrder(ctx, conn, plan), { batched: true }));
      break;
    } catch (err) {
      // a clash on the order number's random suffix: nothing was kept, try again with another number
      if (isDuplicateKey(err, 'uq_orders_number') && attempt < ORDER_NUMBER_ATTEMPTS) continue;
      if (isDuplicateKey(err, 'uq_orders_cart') || isDuplicateKey(err, 'uq_orders_idempotency_key')) {
        // the other call committed first (our insert waited for it on the unique key); ours rolled back
        const existing = await findReplay(ctx, context, input.user_id);
        if (existing) return existing;
      }
      const lost = signalOf(err);
      if (lost?.code === 'INSUFFICIENT_STOCK') {
        const line = order.lines.find((l) => l.product_id === Number(lost.arg))!;
        const [rows] = await ctx.db.query<RowDataPacket[]>(q.SELECT_PRODUCTS, [context.cart_id ?? null, [line.product_id]]);
        const available = Number(rows[0]?.available ?? 0);
        return rejected(ctx, 'INSUFFICIENT_STOCK', [
          { field: `items.${line.index}.quantity`, code: 'INSUFFICIENT_STOCK', message: stockMessage(line.name, available) },
        ]);
      }
      if (err instanceof PromoUsedUp || isCheckViolation(err, 'chk_promo_usage')) {
        const message = err instanceof PromoUsedUp ? err.message : promoLimitMessage(order.promo!.code);
        return rejected(ctx, 'INVALID_PROMO', [{ field: 'promo_code', code: 'INVALID_PROMO', message }]);
      }
      const items = order.lines.map((l) => ({ product_id: l.product_id, quantity: l.quantity }));
      await failed(ctx, err, { user_id: order.user.id, details: { stage: 'transaction', cart_id: context.cart_id ?? null, items } });
      throw err;
    }
  }

  ctx.observer?.orderCreated(performance.now() - t0);
  await publishAfterCommit(ctx, { notificationIds: written.notificationIds, broadcastIds: written.broadcastIds, processingIds: written.processingIds });
  return {
    success: true,
    order: { id: written.id, order_number: written.number, order_status: 'pending', total_amount: toPesos(order.totals.total_amount) },
    warnings: order.fraud.warnings,
    message: 'Order created successfully',
  };
}

/**
 * The order this call repeats (the same user's cart or the same idempotency_key), as a replayed success;
 * else null. Another customer's cart is no order at all: its number is never told to anyone else.
 */
async function findReplay(ctx: EngineContext, context: CreateOrderContext, userId: number | null): Promise<CreateOrderResult | null> {
  const cartId = context.cart_id ?? null;
  const key = context.idempotency_key ?? null;
  if (cartId === null && key === null) return null;
  const [rows] = await ctx.db.query<RowDataPacket[]>(q.SELECT_ORDER_REPLAY, [cartId, userId, key]);
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

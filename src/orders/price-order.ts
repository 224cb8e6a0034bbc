import type { EngineContext } from './engine-context.js';
import { checkOrder, type CheckedOrder } from './order-checks.js';
import { toPesos } from './money.js';
import { parseWith, type OrderInput } from './schemas.js';
import type { ErrorCode, QuoteResult, ValidationError } from './types.js';

/**
 * The part of createOrder that decides, before anything is written: validate the body with the
 * engine's schema, then checkOrder (prices from the database, stock, promo, shipping, client totals,
 * fraud). createOrder and quoteOrder both run exactly this, so a quote is what an order placed at the
 * same moment would cost.
 */
export type PriceOutcome =
  | { ok: true; input: OrderInput; order: CheckedOrder }
  | { ok: false; code: ErrorCode; errors: ValidationError[]; error?: string };

/** `onThrow` runs when the checks fail unexpectedly (an outage); the error is rethrown after it. */
export async function priceOrder(
  ctx: EngineContext,
  data: unknown,
  /** the chat cart being ordered: its own live-sale holds count as available to it */
  cartId: number | null,
  onThrow?: (err: unknown, input: OrderInput) => Promise<void>,
): Promise<PriceOutcome> {
  const parsed = parseWith(ctx.orderSchema, data);
  if (!parsed.ok) return { ok: false, code: 'VALIDATION_FAILED', errors: parsed.errors, error: 'Validation failed' };
  const input = parsed.value;
  try {
    const checked = await checkOrder(ctx, input, cartId);
    return checked.ok ? { ok: true, input, order: checked.order } : { ok: false, code: checked.code, errors: checked.errors };
  } catch (err) {
    await onThrow?.(err, input);
    throw err;
  }
}

/** quoteOrder: createOrder's checks and totals, nothing written, nothing queued. */
export async function quoteOrder(ctx: EngineContext, data: unknown, cartId: number | null = null): Promise<QuoteResult> {
  const priced = await priceOrder(ctx, data, cartId);
  if (!priced.ok) {
    return { success: false, error: priced.error ?? priced.errors[0]?.message ?? priced.code, code: priced.code, validation_errors: priced.errors };
  }
  const { totals, lines, promo, fraud } = priced.order;
  return {
    success: true,
    subtotal: toPesos(totals.subtotal),
    shipping_fee: toPesos(totals.shipping_fee),
    discount_amount: toPesos(totals.discount_amount),
    total_amount: toPesos(totals.total_amount),
    promo_code: promo?.code ?? null,
    items: [...lines]
      .sort((a, b) => a.index - b.index)
      .map((l) => ({ product_id: l.product_id, name: l.name, quantity: l.quantity, unit_price: toPesos(l.unit_price), line_total: toPesos(l.line_total) })),
    warnings: fraud.warnings,
  };
}

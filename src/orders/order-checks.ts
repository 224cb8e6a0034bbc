import type { RowDataPacket } from 'mysql2';
import type { EngineContext } from './engine-context.js';
import { canonicalPhone } from './checkout-fields.js';
import type { Read } from './group-reads.js';
import { assessFraud, itemsSignatureHash, type FraudVerdict } from './fraud.js';
import { MAX_ORDER_AMOUNT, formatMoney, toCentavos, type Centavos } from './money.js';
import { checkClientTotals, computeTotals, promoDiscount, shippingFee, type Promo, type Totals } from './pricing.js';
import { mergeLines, type OrderInput } from './schemas.js';
import * as q from './sql/create-order-sql.js';
import type { ErrorCode, ValidationError } from './types.js';

/**
 * Everything createOrder decides before it writes: the user, prices from the database, stock, promo,
 * shipping, client totals and fraud. Reads are plain (unlocked); the reservation inside the transaction
 * is what actually guards stock.
 */
export interface PricedLine {
  product_id: number;
  index: number;
  name: string;
  sku: string | null;
  unit_price: Centavos;
  quantity: number;
  line_total: Centavos;
}

export interface CheckedOrder {
  user: { id: number; name: string; phone: string | null; psid: string | null };
  lines: PricedLine[];
  totals: Totals;
  promo: { id: number; code: string; per_user_limit: number | null } | null;
  fraud: FraudVerdict;
  /** orders.items_signature */
  signature: string;
}

export type CheckOutcome = { ok: true; order: CheckedOrder } | { ok: false; code: ErrorCode; errors: ValidationError[] };

const num = (v: unknown) => Number(v);
const cents = (v: unknown): Centavos => toCentavos(String(v)) ?? 0;

export async function checkOrder(ctx: EngineContext, input: OrderInput, cartId: number | null = null): Promise<CheckOutcome> {
  const { config } = ctx;
  const lines = mergeLines(input.items);
  const signature = itemsSignatureHash(lines);
  const promoCode = input.promo_code ? input.promo_code.toUpperCase() : null;
  const uid = input.user_id;
  const productIds = lines.map((l) => l.product_id);
  const province = input.shipping_address.province;
  // one round trip, shared with the other orders being checked now (group-reads.ts): the buyer (with
  // fraud facts and shipping rate), the products, the promo
  const window = config.FRAUD_DUPLICATE_WINDOW_MINUTES;
  const reads: Read[] = [
    [q.SELECT_BUYER, [signature, window, province, window, uid]],
    cartId === null ? [q.SELECT_PRODUCTS_NO_CART, [productIds]] : [q.SELECT_PRODUCTS, [cartId, productIds]],
  ];
  if (promoCode) reads.push([q.SELECT_PROMO, [promoCode]], [q.COUNT_PROMO_USES, [input.user_id, promoCode]]);
  const [users = [], products = [], promoRow, promoUses] = await ctx.readGroup.run(reads);

  const user = users[0];
  if (!user || user.id === null) return fail('USER_NOT_FOUND', 'user_id', `No customer with id ${input.user_id}`);
  const blockedPhones = new Set(config.FRAUD_BLOCKED_PHONES.map(canonicalPhone));
  const phones = [input.shipping_address.phone, user.phone as string | null].filter((p): p is string => !!p).map(canonicalPhone);
  if (user.is_blocked || phones.some((p) => blockedPhones.has(p))) {
    return fail('USER_BLOCKED', 'user_id', 'This customer cannot place orders. Please contact the shop.');
  }

  const byId = new Map(products.map((p) => [num(p.id), p]));
  const errors: ValidationError[] = [];
  const priced: PricedLine[] = [];
  // report problems in the customer's line order; reserve later in product order
  for (const line of [...lines].sort((a, b) => a.index - b.index)) {
    const p = byId.get(line.product_id);
    const at = `items.${line.index}`;
    if (!p) {
      errors.push({ field: `${at}.product_id`, code: 'PRODUCT_NOT_FOUND', message: `Product ${line.product_id} does not exist` });
    } else if (p.status !== 'active') {
      errors.push({ field: `${at}.product_id`, code: 'PRODUCT_INACTIVE', message: `${p.name as string} is not available any more` });
    } else if (num(p.available) < line.quantity) {
      errors.push({ field: `${at}.quantity`, code: 'INSUFFICIENT_STOCK', message: stockMessage(p.name as string, num(p.available)) });
    } else if (cents(p.price) * line.quantity > MAX_ORDER_AMOUNT) {
      errors.push({ field: `${at}.quantity`, code: 'OUT_OF_RANGE', message: overLimitMessage(`${line.quantity} × ${p.name as string}`, config.CURRENCY) });
    } else {
      const unit = cents(p.price);
      priced.push({ ...line, name: p.name as string, sku: (p.sku as string | null) ?? null, unit_price: unit, line_total: unit * line.quantity });
    }
  }
  if (errors.length) return { ok: false, code: errors[0]!.code, errors };
  priced.sort((a, b) => a.product_id - b.product_id);

  const subtotal = priced.reduce((s, l) => s + l.line_total, 0);
  // the province's own rate, else the '*' fallback
  const own = user.own_fee !== null;
  const fee = own ? user.own_fee : user.any_fee;
  if (fee === null) throw new Error("no shipping rate configured: shipping_rates needs a '*' fallback row (migration 005)");
  const free = own ? user.own_free_min : user.any_free_min;
  const shipping = shippingFee({ province, fee: cents(fee), free_shipping_min: free === null ? null : cents(free) }, subtotal);
  let discount = 0;
  let promo: CheckedOrder['promo'] = null;
  if (promoCode) {
    const row = promoRow![0];
    const outcome = promoDiscount(row ? toPromo(row) : null, promoCode, subtotal, ctx.clock(), num(promoUses![0]?.n ?? 0), config.CURRENCY);
    if (!outcome.ok) return fail('INVALID_PROMO', 'promo_code', outcome.message);
    discount = outcome.discount;
    promo = { id: num(row!.id), code: row!.code as string, per_user_limit: row!.per_user_limit === null ? null : num(row!.per_user_limit) };
  }
  const totals = computeTotals(subtotal, shipping, discount);
  if (totals.subtotal > MAX_ORDER_AMOUNT || totals.total_amount > MAX_ORDER_AMOUNT) {
    return fail('OUT_OF_RANGE', 'items', overLimitMessage('This order', config.CURRENCY));
  }
  const mismatches = checkClientTotals(input, totals, config.CURRENCY);
  if (mismatches.length) return { ok: false, code: 'TOTAL_MISMATCH', errors: mismatches };

  const fraud = assessFraud(
    {
      total: totals.total_amount,
      payment_method: input.payment_method,
      orders_last_hour: num(user.orders_last_hour),
      same_items_minutes_ago: user.same_items_age_s === null ? null : Math.floor(num(user.same_items_age_s) / 60),
    },
    config,
  );
  return {
    ok: true,
    order: {
      user: { id: num(user.id), name: user.name as string, phone: (user.phone as string | null) ?? null, psid: (user.psid as string | null) ?? null },
      lines: priced,
      totals,
      promo,
      fraud,
      signature,
    },
  };
}

export function stockMessage(name: string, available: number): string {
  return available > 0 ? `Only ${available} left of ${name}` : `${name} is out of stock`;
}

function overLimitMessage(what: string, currency: string): string {
  return `${what} comes to more than one order can hold (${formatMoney(MAX_ORDER_AMOUNT, currency, 'centavos')}); please order less`;
}

function fail(code: ErrorCode, field: string, message: string): CheckOutcome {
  return { ok: false, code, errors: [{ field, code, message }] };
}

function toPromo(r: RowDataPacket): Promo {
  return {
    id: num(r.id),
    code: r.code as string,
    discount_type: r.discount_type as Promo['discount_type'],
    discount_value: cents(r.discount_value),
    min_spend: cents(r.min_spend),
    max_discount: r.max_discount === null ? null : cents(r.max_discount),
    starts_at: (r.starts_at as Date | null) ?? null,
    ends_at: (r.ends_at as Date | null) ?? null,
    usage_limit: r.usage_limit === null ? null : num(r.usage_limit),
    per_user_limit: r.per_user_limit === null ? null : num(r.per_user_limit),
    times_used: num(r.times_used),
    is_active: Boolean(r.is_active),
  };
}

import { formatMoney, percentOf, type Centavos } from './money.js';
import type { ValidationError } from './types.js';

/** Pure pricing: every amount is integer centavos; prices come from the database, never the client. */

export interface ShippingRate {
  province: string;
  fee: Centavos;
  free_shipping_min: Centavos | null;
}

export function shippingFee(rate: ShippingRate, subtotal: Centavos): Centavos {
  return rate.free_shipping_min !== null && subtotal >= rate.free_shipping_min ? 0 : rate.fee;
}

export interface Promo {
  id: number;
  code: string;
  discount_type: 'percent' | 'fixed';
  /** fixed: centavos; percent: hundredths of a percent (12.5% = 1250) — both are DECIMAL(12,2) × 100 */
  discount_value: Centavos;
  min_spend: Centavos;
  max_discount: Centavos | null;
  starts_at: Date | null;
  ends_at: Date | null;
  usage_limit: number | null;
  per_user_limit: number | null;
  times_used: number;
  is_active: boolean;
}

export const promoLimitMessage = (code: string) => `Promo code ${code} has reached its usage limit`;
export const promoPerUserMessage = (code: string) => `You have already used promo code ${code} the maximum number of times`;

export type PromoOutcome = { ok: true; discount: Centavos } | { ok: false; message: string };

/** Whether the promo applies to this order and how much it takes off (never more than the subtotal). */
export function promoDiscount(promo: Promo | null, code: string, subtotal: Centavos, now: Date, usesByUser: number, currency: string): PromoOutcome {
  if (!promo || !promo.is_active) return { ok: false, message: `Promo code ${code} does not exist or is no longer active` };
  if (promo.starts_at && now < promo.starts_at) return { ok: false, message: `Promo code ${code} is not valid yet` };
  if (promo.ends_at && now >= promo.ends_at) return { ok: false, message: `Promo code ${code} has expired` };
  if (subtotal < promo.min_spend) {
    return { ok: false, message: `Promo code ${code} needs a minimum spend of ${formatMoney(promo.min_spend, currency, 'centavos')}` };
  }
  if (promo.usage_limit !== null && promo.times_used >= promo.usage_limit) {
    return { ok: false, message: promoLimitMessage(code) };
  }
  if (promo.per_user_limit !== null && usesByUser >= promo.per_user_limit) {
    return { ok: false, message: promoPerUserMessage(code) };
  }
  let discount = promo.discount_type === 'percent' ? percentOf(subtotal, promo.discount_value) : promo.discount_value;
  if (promo.max_discount !== null) discount = Math.min(discount, promo.max_discount);
  return { ok: true, discount: Math.min(discount, subtotal) };
}

export interface Totals {
  subtotal: Centavos;
  shipping_fee: Centavos;
  discount_amount: Centavos;
  total_amount: Centavos;
}

export function computeTotals(subtotal: Centavos, shipping: Centavos, discount: Centavos): Totals {
  return { subtotal, shipping_fee: shipping, discount_amount: discount, total_amount: Math.max(0, subtotal + shipping - discount) };
}

/** The client's totals, if it sent any, must equal ours; a difference is TOTAL_MISMATCH naming the field. */
export function checkClientTotals(given: Partial<Record<keyof Totals, Centavos | undefined>>, ours: Totals, currency: string): ValidationError[] {
  const errors: ValidationError[] = [];
  for (const key of ['subtotal', 'shipping_fee', 'discount_amount', 'total_amount'] as const) {
    const g = given[key];
    if (g !== undefined && g !== ours[key]) {
      errors.push({
        field: key,
        code: 'TOTAL_MISMATCH',
        message: `${key} is ${formatMoney(ours[key], currency, 'centavos')} at the shop's current prices, not ${formatMoney(g, currency, 'centavos')}`,
      });
    }
  }
  return errors;
}

import type { ActionResult, CreateOrderResult, ErrorCode } from '../orders/types.js';

/**
 * The one place where engine result codes become words a shopper (or admin) understands.
 */
type CreateFailure = Extract<CreateOrderResult, { success: false }>;
type ActionFailure = Extract<ActionResult, { success: false }>;

export function explainOrderFailure(r: CreateFailure): string {
  const details = r.validation_errors.map((e) => e.message).filter(Boolean);
  switch (r.code) {
    case 'INSUFFICIENT_STOCK':
      return `Sorry, we don't have enough stock: ${details.join('; ') || r.error}. Please change the quantity in your cart.`;
    case 'PRODUCT_NOT_FOUND':
    case 'PRODUCT_INACTIVE':
      return `Sorry, something in your cart is no longer for sale: ${details.join('; ') || r.error}. Please remove it from your cart.`;
    case 'INVALID_PROMO':
      return `That promo code can't be used: ${details.join('; ') || r.error}. Tap Edit → Promo code to change or remove it.`;
    case 'USER_BLOCKED':
      return 'Sorry, we can’t take orders from this account. Please contact the shop.';
    case 'INVALID_PAYMENT_METHOD':
      return 'That payment method isn’t available. Tap Edit → Payment to pick another.';
    case 'OUT_OF_RANGE':
      // quantities or amounts of the cart's lines (the address fields have their own codes)
      if (r.validation_errors.every((e) => e.field.startsWith('items'))) {
        return `Sorry, we can't take this cart as one order: ${details.join('; ') || r.error}. Please change the quantity in your cart.`;
      }
      return `Some order details need fixing: ${details.join('; ') || r.error}. Tap Edit to change them.`;
    case 'VALIDATION_FAILED':
    case 'REQUIRED':
    case 'INVALID_FORMAT':
    case 'TOO_LONG':
      return `Some order details need fixing: ${details.join('; ') || r.error}. Tap Edit to change them.`;
    default:
      return `Sorry, we couldn't place your order (${r.error}). Please try again in a moment.`;
  }
}

/** 'admin:3' → 'admin 3', 'admin:Maria' → 'Maria', 'customer:…' → 'the customer', 'worker:…'/'system' → 'the system'. */
export function who(actor?: string): string {
  if (!actor) return 'someone';
  if (actor.startsWith('admin:')) {
    const rest = actor.slice('admin:'.length);
    return /^\d+$/.test(rest) ? `admin ${rest}` : rest;
  }
  if (actor.startsWith('customer:')) return 'the customer';
  if (actor === 'system' || actor.startsWith('worker:')) return 'the system';
  return actor;
}

/** Why an order action did not happen; for a lost race: who moved the order and when. */
export function explainActionFailure(r: ActionFailure, orderNumber: string, timeZone: string): string {
  if (r.code === 'INVALID_TRANSITION' && r.current_status) {
    const when = r.changed_at ? ` at ${formatTime(r.changed_at, timeZone)}` : '';
    return `${orderNumber} is already ${r.current_status} — by ${who(r.changed_by)}${when}. Nothing was changed.`;
  }
  const words: Partial<Record<ErrorCode, string>> = {
    ORDER_NOT_FOUND: `Order ${orderNumber} was not found.`,
    RESERVATION_EXPIRED: `${orderNumber}'s stock hold has expired, so it can't be confirmed.`,
    PAYMENT_NOT_REQUIRED: `${orderNumber} is cash on delivery: no payment proof is needed.`,
  };
  return words[r.code] ?? `${orderNumber}: ${r.error}`;
}

export function formatTime(iso: string, timeZone: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat('en-PH', { timeZone, dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

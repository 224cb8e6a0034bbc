import { formatMoney, toCentavos } from '../orders/money.js';
import { paymentLabel } from '../orders/payment-methods.js';
import type { QuoteResult } from '../orders/types.js';
import type { CartView } from '../orders/cart-service.js';
import { addressLines, type BotMessage } from './messages-shop.js';
import { P } from './payloads.js';

/**
 * The checkout summary, built from the engine's quote (quoteOrder): the same subtotal, promo discount,
 * shipping fee and total that "Place order" will charge. The total shown travels in the Place order
 * payload, so the engine refuses (TOTAL_MISMATCH) an order whose total moved since the shopper saw it.
 */
export type Quote = Extract<QuoteResult, { success: true }>;

const qr = (title: string, payload: string) => ({ title: title.slice(0, 20), payload });

export function quoteLines(quote: Quote, currency: string): string {
  const items = quote.items.map((l) => `• ${l.quantity} × ${l.name} — ${formatMoney(l.line_total, currency)}`).join('\n');
  const promo = quote.discount_amount > 0 ? `\nPromo ${quote.promo_code}: −${formatMoney(quote.discount_amount, currency)}` : '';
  const fee = quote.shipping_fee === 0 ? 'FREE' : formatMoney(quote.shipping_fee, currency);
  return `${items}\nSubtotal: ${formatMoney(quote.subtotal, currency)}${promo}\nDelivery fee: ${fee}\nTotal: ${formatMoney(quote.total_amount, currency)}`;
}

export function checkoutSummary(view: CartView, quote: Quote, currency: string): BotMessage {
  const cents = toCentavos(quote.total_amount) ?? 0;
  return {
    text: `Please check your order:\n${quoteLines(quote, currency)}\n\nShip to:\n${addressLines(view.checkout)}\nPayment: ${paymentLabel(view.checkout.payment_method)}`,
    quick_replies: [qr('✅ Place order', P.placeOrder(view.cart_id, cents)), qr('✏️ Edit', P.EDIT), qr('🛒 Cart', P.CART)],
  };
}

/** A promo code the engine refuses, named before the order is placed, with a way to change it. */
export function promoRefused(reason: string): BotMessage {
  return {
    text: `${reason}. Tap "Promo code" to type another one or to go on without one.`,
    quick_replies: [qr('✏️ Promo code', P.edit('promo')), qr('🛒 Cart', P.CART)],
  };
}

/** The total moved between the summary and "Place order": say so before the new summary. */
export function totalChanged(shownCentavos: number, quote: Quote, currency: string): BotMessage {
  return {
    text:
      `Heads up: the total changed since your summary (${formatMoney(shownCentavos, currency, 'centavos')} → ${formatMoney(quote.total_amount, currency)}) ` +
      'because a price or the delivery fee changed. Nothing was ordered yet; here is the new summary.',
  };
}

import type { BotServices, RouteHandler, Turn } from '../turn.js';
import { say } from '../turn.js';
import { idArg, P } from '../payloads.js';
import * as m from '../messages-shop.js';
import { explainOrderFailure } from '../explain.js';
import { CHECKOUT_DIALOG, sendSummary } from './checkout-dialog.js';
import { orderRequestFrom } from '../../orders/cart-service.js';
import { toPesos } from '../../orders/money.js';
import { checkoutSummary, totalChanged } from '../messages-checkout.js';

/** The total (centavos) carried by a Place order payload; null on an old payload without one. */
const shownTotal = (arg: string | undefined): number | null => (arg && /^\d{1,13}$/.test(arg) ? Number(arg) : null);

/** Checkout commands: start, edit, and "Place order" (createOrder once per cart). */
export function checkoutRoutes(s: BotServices): Record<string, RouteHandler> {
  async function placeOrder(t: Turn): Promise<void> {
    const cartId = idArg(t.args[0]);
    const view = cartId ? await s.carts.viewCart(t.customer.id, cartId) : null;
    if (!view || !view.lines.length) return say(t.bot, { text: 'That cart is no longer available.' }, m.emptyCart());
    // The total the summary showed is sent as the client total: if a price or fee moved since, the
    // engine refuses with TOTAL_MISMATCH and the shopper sees what changed before anything is ordered.
    const shown = shownTotal(t.args[1]);
    const request = { ...orderRequestFrom(t.customer.id, view), ...(shown === null ? {} : { total_amount: toPesos(shown) }) };
    // The cart id makes this idempotent (a double tap or a redelivered postback returns the same order),
    // and the engine closes the cart in the order's own transaction.
    const r = await s.orders.createOrder(request, { actor: `customer:${t.psid}`, order_source: 'messenger', cart_id: view.cart_id });
    if (!r.success) {
      if (r.code === 'TOTAL_MISMATCH' && shown !== null) {
        const quote = await s.orders.quoteOrder(orderRequestFrom(t.customer.id, view), view.cart_id);
        if (quote.success) return say(t.bot, totalChanged(shown, quote, s.config.CURRENCY), checkoutSummary(view, quote, s.config.CURRENCY));
      }
      if (r.code === 'CART_ALREADY_ORDERED') return say(t.bot, { text: 'This cart was already ordered.', quick_replies: [{ title: '📦 My orders', payload: P.ORDERS }] });
      return say(t.bot, { text: explainOrderFailure(r), quick_replies: [{ title: '🛒 Cart', payload: P.CART }, { title: '✏️ Edit', payload: P.EDIT }] });
    }
    if (r.replayed) {
      return say(t.bot, { text: `You already placed this order: ${r.order.order_number}.`, quick_replies: [{ title: '📦 My orders', payload: P.ORDERS }] });
    }
    // The receipt, "✅ Order … received!" and the GCash / bank instructions come from the notifications
    // worker (the engine's order_received outbox row): nothing is said twice.
  }

  return {
    CHECKOUT: async (t) => {
      const view = await s.carts.view(t.customer.id);
      if (!view.lines.length) return say(t.bot, m.emptyCart());
      const saved = t.customer.saved_address;
      await t.bot.beginDialog(CHECKOUT_DIALOG, {
        user_id: t.customer.id,
        has_saved: Boolean(saved),
        saved_text: saved ? m.addressLines(saved) : '',
      });
    },
    EDIT_CHECKOUT: async (t) => say(t.bot, m.editQuestion()),
    EDIT: async (t) => {
      const section = t.args[0];
      if (section === 'address') return t.bot.beginDialog(CHECKOUT_DIALOG, { user_id: t.customer.id, thread: 'name' });
      if (section === 'payment') return t.bot.beginDialog(CHECKOUT_DIALOG, { user_id: t.customer.id, thread: 'payment', edit_only: true });
      if (section === 'promo') return t.bot.beginDialog(CHECKOUT_DIALOG, { user_id: t.customer.id, thread: 'promo' });
      await sendSummary(s, t.bot, t.customer.id);
    },
    PLACE_ORDER: placeOrder,
  };
}

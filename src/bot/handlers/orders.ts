import type { BotServices, RouteHandler, Turn } from '../turn.js';
import { say } from '../turn.js';
import { idArg } from '../payloads.js';
import { menuReplies } from '../messages-shop.js';
import * as m from '../messages-orders.js';
import { explainActionFailure } from '../explain.js';
import { attachmentKind, attachmentReply } from '../messages-attachments.js';

/** The customer's orders: list, details, cancel (with a confirm step), and payment proof photos. */
export function orderRoutes(s: BotServices): Record<string, RouteHandler> {
  /** Only the customer's own order; anyone else's id reads as not found. */
  async function ownOrder(t: Turn) {
    const id = idArg(t.args[0]);
    const order = id ? await s.orders.getOrder(id) : null;
    if (!order || order.user_id !== t.customer.id) {
      await say(t.bot, { text: 'I couldn’t find that order.', quick_replies: menuReplies() });
      return null;
    }
    return order;
  }

  return {
    MY_ORDERS: async (t) => {
      const page = await s.orders.listOrders({ user_id: t.customer.id, limit: 10 });
      await say(t.bot, m.ordersCarousel(page.orders, s.config.SHOP_TIMEZONE, s.config.CURRENCY));
    },
    ORDER: async (t) => {
      const order = await ownOrder(t);
      if (order) await say(t.bot, m.customerOrderDetails(order, s.config.CURRENCY));
    },
    CANCEL_ORDER: async (t) => {
      const order = await ownOrder(t);
      if (!order) return;
      if (order.order_status !== 'pending') {
        return say(t.bot, { text: `${order.order_number} is ${order.order_status} and can no longer be cancelled here. Please message the shop.` });
      }
      await say(t.bot, m.cancelConfirmQuestion(order, s.config.CURRENCY));
    },
    CANCEL_ORDER_YES: async (t) => {
      const order = await ownOrder(t);
      if (!order) return;
      const r = await s.orders.cancelOrder(order.id, 'Cancelled at your request', `customer:${t.psid}`, 'pending');
      if (!r.success) return say(t.bot, { text: explainActionFailure(r, order.order_number, s.config.SHOP_TIMEZONE) });
      // the notifications worker confirms it too ("❌ Your order … was cancelled. Reason: …")
      await say(t.bot, { text: `Done — ${order.order_number} is cancelled and the items are back on the shelf.`, quick_replies: menuReplies() });
    },
  };
}

/**
 * An attachment: a photo is the payment proof of the customer's latest unpaid GCash / bank-transfer order;
 * anything else (sticker, map pin, voice, video, file, shared link) gets a reply that fits it.
 */
export async function receiveAttachment(s: BotServices, t: Turn): Promise<void> {
  const kind = attachmentKind(t.message.attachments);
  if (kind !== 'image') return say(t.bot, attachmentReply(kind, t.admin !== null));
  const image = t.message.attachments.find((a) => a.type === 'image' && a.url)!;
  const page = await s.orders.listOrders({ user_id: t.customer.id, limit: 10 });
  const order = page.orders.find(
    (o) => o.payment_method !== 'cod' && o.payment_status !== 'paid' && (o.order_status === 'pending' || o.order_status === 'confirmed'),
  );
  if (!order) {
    return say(t.bot, {
      text: 'Thanks for the photo! I can only use a photo as the payment proof of a GCash or bank-transfer order, and you have none waiting for payment.',
      quick_replies: menuReplies(),
    });
  }
  const r = await s.orders.attachPaymentProof(order.id, image.url!, `customer:${t.psid}`);
  if (!r.success) return say(t.bot, { text: explainActionFailure(r, order.order_number, s.config.SHOP_TIMEZONE) });
  // the worker downloads and stores it, then alerts the shop (or tells the customer why it was refused)
  await say(t.bot, { text: `Thank you! 🧾 We're saving your payment proof for ${order.order_number} and will show it to the shop. We'll confirm soon.` });
}

import { formatMoney } from '../orders/money.js';
import type { OrderDetail, OrderStatus, OrderSummary } from '../orders/types.js';
import { menuReplies, type BotMessage, type QuickReplyOption } from './messages-shop.js';
import { paymentLabel } from '../orders/payment-methods.js';
import { P } from './payloads.js';

/** Message builders for orders, payment and the admin side (pure, unit-tested). */
const qr = (title: string, payload: string): QuickReplyOption => ({ title: title.slice(0, 20), payload });
const button = (title: string, payload: string) => ({ type: 'postback' as const, title: title.slice(0, 20), payload });

export const STATUS_LABELS: Record<OrderStatus, string> = {
  pending: '🕒 Waiting for confirmation',
  confirmed: '✅ Confirmed',
  processing: '📦 Being prepared',
  shipped: '🚚 Shipped',
  delivered: '🎉 Delivered',
  cancelled: '❌ Cancelled',
  expired: '⌛ Expired',
};

/** The customer's recent orders, dated in the shop's time zone. */
export function ordersCarousel(orders: OrderSummary[], timeZone: string, currency: string): BotMessage {
  const day = new Intl.DateTimeFormat('en-PH', { timeZone, dateStyle: 'medium' });
  if (!orders.length) return { text: 'You have no orders yet.', quick_replies: menuReplies() };
  const elements = orders.slice(0, 10).map((o) => ({
    title: `${o.order_number} · ${formatMoney(o.total_amount, currency)}`,
    subtitle: `${STATUS_LABELS[o.order_status]} · ${day.format(new Date(o.created_at))}`.slice(0, 80),
    buttons: [
      button('Details', P.order(o.id)),
      ...(o.order_status === 'pending' ? [button('Cancel order', P.cancelOrder(o.id))] : []),
    ],
  }));
  return { attachment: { type: 'template', payload: { template_type: 'generic', elements } } };
}

export function orderDetailsText(o: OrderDetail, currency: string): string {
  const items = o.items.map((i) => `• ${i.quantity} × ${i.product_name} — ${formatMoney(i.line_total, currency)}`).join('\n');
  const discount = Number(o.discount_amount) > 0 ? `\nDiscount${o.promo_code ? ` (${o.promo_code})` : ''}: −${formatMoney(o.discount_amount, currency)}` : '';
  const tracking = o.tracking_number ? `\nTracking number: ${o.tracking_number}` : '';
  const reason = o.cancel_reason ? `\nReason: ${o.cancel_reason}` : '';
  return (
    `Order ${o.order_number}\nStatus: ${STATUS_LABELS[o.order_status]}${reason}${tracking}\n${items}\n` +
    `Subtotal: ${formatMoney(o.subtotal, currency)}\nDelivery fee: ${formatMoney(o.shipping_fee, currency)}${discount}\nTotal: ${formatMoney(o.total_amount, currency)}\n` +
    `Payment: ${paymentLabel(o.payment_method)} (${o.payment_status.replace('_', ' ')})\n` +
    `Ship to: ${o.recipient_name}, ${o.phone}, ${o.shipping_address}, ${o.city}, ${o.province} ${o.postal_code}`
  );
}

export function customerOrderDetails(o: OrderDetail, currency: string): BotMessage {
  const replies = o.order_status === 'pending' ? [qr('Cancel order', P.cancelOrder(o.id))] : [];
  return { text: orderDetailsText(o, currency), quick_replies: [...replies, qr('📦 My orders', P.ORDERS), qr('🛍️ Shop', P.SHOP)] };
}

export function cancelConfirmQuestion(o: OrderSummary, currency: string): BotMessage {
  return {
    text: `Cancel order ${o.order_number} (${formatMoney(o.total_amount, currency)})? The items go back on the shelf.`,
    quick_replies: [qr('Yes, cancel it', P.cancelYes(o.id)), qr('No, keep it', P.order(o.id))],
  };
}

// --- admin ---------------------------------------------------------------------------------------

export function adminMenu(): BotMessage {
  return {
    text: 'Admin menu — what do you need?',
    quick_replies: [
      qr('🕒 Pending orders', P.ADMIN_PENDING),
      qr('🚚 To ship / deliver', P.ADMIN_TO_SHIP),
      qr('📉 Low stock', P.ADMIN_LOW_STOCK),
      qr('🛍️ Shop', P.SHOP),
    ],
  };
}

/** One card per order with the admin's actions for its status. */
export function adminOrdersCarousel(orders: OrderSummary[], empty: string, currency: string): BotMessage {
  if (!orders.length) return { text: empty, quick_replies: adminMenu().quick_replies! };
  const elements = orders.slice(0, 10).map((o) => ({
    title: `${o.order_number} · ${formatMoney(o.total_amount, currency)}`,
    subtitle: `${o.recipient_name} · ${paymentLabel(o.payment_method)} · ${o.order_status}${o.fraud_flags.length ? ' · ⚠️ check' : ''}`.slice(0, 80),
    buttons: adminActions(o).map((a) => button(a.title, a.payload)),
  }));
  return { attachment: { type: 'template', payload: { template_type: 'generic', elements } } };
}

export function adminActions(o: Pick<OrderSummary, 'id' | 'order_status'>): QuickReplyOption[] {
  switch (o.order_status) {
    case 'pending':
      return [qr('✅ Confirm', P.adminConfirm(o.id)), qr('❌ Cancel', P.adminCancel(o.id)), qr('Details', P.adminDetails(o.id))];
    case 'confirmed':
    case 'processing':
      return [qr('🚚 Mark shipped', P.adminShip(o.id)), qr('❌ Cancel', P.adminCancel(o.id)), qr('Details', P.adminDetails(o.id))];
    case 'shipped':
      return [qr('🎉 Delivered', P.adminDeliver(o.id)), qr('Details', P.adminDetails(o.id))];
    default:
      return [qr('Details', P.adminDetails(o.id))];
  }
}

export function adminOrderDetails(o: OrderDetail, currency: string): BotMessage {
  const fraud = o.fraud_flags.length ? `\n⚠️ Fraud checks (score ${o.fraud_score}): ${o.fraud_flags.map((f) => f.message).join('; ')}` : '';
  const proof = o.payment_proof_url ? `\nPayment proof: ${o.payment_proof_url}` : '';
  return {
    text: `${orderDetailsText(o, currency)}\nCustomer: ${o.customer.name}${o.customer.phone ? `, ${o.customer.phone}` : ''}${fraud}${proof}`,
    quick_replies: [...adminActions(o), qr('🛠️ Admin', P.ADMIN_MENU)],
  };
}

export function cancelReasonQuestion(orderNumber: string): BotMessage {
  const reasons = ['Out of stock', 'Customer request', 'Payment not received', 'Suspected fraud'];
  return {
    text: `Why is ${orderNumber} being cancelled? Tap a reason or type your own.`,
    quick_replies: [...reasons.map((r) => qr(r, P.answer(r))), qr('Never mind', P.ADMIN_MENU)],
  };
}

export function lowStockText(alerts: { name: string; stock_quantity: number; low_stock_threshold: number }[]): BotMessage {
  const text = alerts.length
    ? `📉 Low stock:\n${alerts.map((a) => `• ${a.name}: ${a.stock_quantity} left (alert at ${a.low_stock_threshold})`).join('\n')}`
    : 'All products are above their low-stock threshold. 👍';
  return { text, quick_replies: adminMenu().quick_replies! };
}

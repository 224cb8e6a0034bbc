import { formatMoney } from '../orders/money.js';
import { paymentLabel } from '../orders/payment-methods.js';
import type { OrderDetail, Product } from '../orders/types.js';
import type { QuickReply, SendRequest } from '../bot/send-api.js';
// the payloads the bot parses; plain strings, no botkit behind them
import { P } from '../bot/payloads.js';
import { renderLive } from './live-messages.js';
// the admin's "🧾 Today" as the chat shows it (a pure builder: no botkit behind it)
import { daySummaryText } from '../bot/messages-admin-catalog.js';
import type { BotMessage } from '../bot/messages-shop.js';
import type { DaySummary } from '../orders/index.js';

/**
 * Builds the Messenger message(s) for one notification_queue row from its notification_type, its payload
 * and the order (read through the engine). Pure: no I/O, unit-tested. A row may need several messages
 * ("parts"): the order receipt is a receipt template followed by a text.
 */
export type OutgoingMessage = NonNullable<SendRequest['message']>;

/** What an order status update needs; the engine's payload carries it (a snapshot at the transition). */
export type OrderRef = Pick<OrderDetail, 'order_number' | 'tracking_number' | 'cancel_reason'>;

export interface RenderInput {
  type: string;
  payload: Record<string, unknown>;
  /** the full order (read through the engine); status updates can do with the payload's snapshot */
  order: OrderDetail | null;
  /** for low_stock rows: the product, when the payload names one */
  product?: Product | null;
  shop: { name: string; currency: string; gcashNumber: string; gcashName: string; bankDetails: string };
}

export type Rendered =
  /** customer: an order update (POST_PURCHASE_UPDATE outside the 24-hour window); admin: an alert */
  | { ok: true; audience: 'customer' | 'admin'; parts: OutgoingMessage[] }
  | { ok: false; reason: string };

export const CUSTOMER_TYPES = [
  'order_received',
  'order_confirmed',
  'order_processing',
  'order_shipped',
  'order_delivered',
  'order_cancelled',
  'order_expired',
  'payment_proof_refused',
] as const;
export const ADMIN_TYPES = ['new_order_admin', 'low_stock', 'payment_proof', 'payment_proof_failed', 'daily_summary'] as const;
/**
 * Rows no message tag fits: sent only within Messenger's 24-hour window (users.last_message_at), otherwise
 * settled unsent. The daily summary is queued only for admins in the window; this covers a row that waited
 * (rate limit, outage) until the window closed.
 */
export const WINDOW_ONLY_TYPES: ReadonlySet<string> = new Set(['daily_summary']);
const STATUS_UPDATES = new Set<string>(CUSTOMER_TYPES.filter((t) => t !== 'order_received'));

/** The order reference a status update's payload carries, or null when the full order must be read. */
export function orderRefFromPayload(type: string, payload: Record<string, unknown>): OrderRef | null {
  if (!STATUS_UPDATES.has(type) || typeof payload.order_number !== 'string') return null;
  return { order_number: payload.order_number, tracking_number: null, cancel_reason: null };
}

const TEXT_MAX = 2000; // Messenger's limit for a text message


export function adminOrderQuickReplies(orderId: number): QuickReply[] {
  return [
    { content_type: 'text', title: 'Confirm', payload: P.adminConfirm(orderId) },
    { content_type: 'text', title: 'Cancel', payload: P.adminCancel(orderId) },
    { content_type: 'text', title: 'Details', payload: P.adminDetails(orderId) },
  ];
}

function clipText(text: string): string {
  return text.length > TEXT_MAX ? `${text.slice(0, TEXT_MAX - 1)}…` : text;
}

function str(payload: Record<string, unknown>, ...keys: string[]): string | null {
  for (const k of keys) {
    const v = payload[k];
    if (typeof v === 'string' && v.trim()) return v.trim();
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  }
  return null;
}

export function orderReceivedText(order: Pick<OrderDetail, 'order_number' | 'total_amount'>, currency: string): string {
  return `✅ Order ${order.order_number} received! Total: ${formatMoney(order.total_amount, currency)}`;
}

function receiptTemplate(order: OrderDetail, shop: RenderInput['shop']): OutgoingMessage {
  const discount = Number(order.discount_amount);
  return {
    attachment: {
      type: 'template',
      payload: {
        template_type: 'receipt',
        recipient_name: order.recipient_name,
        order_number: order.order_number,
        currency: shop.currency,
        payment_method: paymentLabel(order.payment_method),
        timestamp: String(Math.floor(Date.parse(order.created_at) / 1000) || Math.floor(Date.now() / 1000)),
        address: {
          street_1: order.shipping_address,
          city: order.city,
          postal_code: order.postal_code,
          state: order.province,
          country: 'PH',
        },
        elements: order.items.slice(0, 100).map((i) => ({
          title: i.product_name,
          ...(i.sku ? { subtitle: i.sku } : {}),
          quantity: i.quantity,
          price: Number(i.line_total),
          currency: shop.currency,
        })),
        ...(discount > 0 ? { adjustments: [{ name: order.promo_code ? `Promo ${order.promo_code}` : 'Discount', amount: discount }] } : {}),
        summary: {
          subtotal: Number(order.subtotal),
          shipping_cost: Number(order.shipping_fee),
          total_cost: Number(order.total_amount),
        },
      },
    },
  };
}

function paymentInstructions(order: OrderDetail, shop: RenderInput['shop']): string | null {
  const { currency } = shop;
  const total = formatMoney(order.total_amount, currency);
  if (order.payment_method === 'gcash')
    return `💳 Please send ${total} by GCash to ${shop.gcashNumber} (${shop.gcashName}) and send us a photo of the receipt here.`;
  if (order.payment_method === 'bank_transfer')
    return `🏦 Please transfer ${total} to ${shop.bankDetails} and send us a photo of the deposit slip here.`;
  return null;
}

function newOrderAdminText(order: OrderDetail, payload: Record<string, unknown>, currency: string): string {
  const lines = [
    `🛒 New order ${order.order_number} — ${formatMoney(order.total_amount, currency)}`,
    `Customer: ${order.customer.name}${order.customer.phone ? ` (${order.customer.phone})` : ''}`,
    'Items:',
    ...order.items.slice(0, 20).map((i) => `• ${i.quantity} × ${i.product_name} — ${formatMoney(i.line_total, currency)}`),
    ...(order.items.length > 20 ? [`• … and ${order.items.length - 20} more`] : []),
    `Subtotal ${formatMoney(order.subtotal, currency)}, shipping ${formatMoney(order.shipping_fee, currency)}` +
      (Number(order.discount_amount) > 0 ? `, discount −${formatMoney(order.discount_amount, currency)}` : ''),
    `Payment: ${paymentLabel(order.payment_method)}`,
    `Ship to: ${order.recipient_name}, ${order.shipping_address}, ${order.city}, ${order.province} ${order.postal_code}`,
  ];
  const warnings = Array.isArray(payload.warnings) ? payload.warnings : order.fraud_flags;
  for (const w of warnings as Array<{ message?: unknown } | string>) {
    const msg = typeof w === 'string' ? w : typeof w?.message === 'string' ? w.message : null;
    if (msg) lines.push(`⚠️ ${msg}`);
  }
  if (order.requires_verification) lines.push('⚠️ Needs verification before confirming.');
  return clipText(lines.join('\n'));
}

function customerText(type: string, order: OrderRef, payload: Record<string, unknown>, shop: RenderInput['shop']): string | null {
  const n = order.order_number;
  switch (type) {
    case 'order_confirmed':
      return `👍 Your order ${n} is confirmed! We're preparing it now.`;
    case 'order_processing':
      return `📦 Your order ${n} is being packed.`;
    case 'order_shipped': {
      const tracking = str(payload, 'tracking_number') ?? order.tracking_number;
      return `🚚 Your order ${n} is on its way!${tracking ? ` Tracking number: ${tracking}` : ''}`;
    }
    case 'order_delivered':
      return `🎉 Your order ${n} was delivered. Thank you for shopping with ${shop.name}!`;
    case 'order_cancelled': {
      const reason = str(payload, 'reason', 'cancel_reason') ?? order.cancel_reason;
      return clipText(`❌ Your order ${n} was cancelled.${reason ? ` Reason: ${reason}` : ''}`);
    }
    case 'order_expired':
      return `⌛ Your order ${n} expired because it was not confirmed in time, and its items were released. You are welcome to order again.`;
    case 'payment_proof_refused':
      return clipText(`⚠️ We could not use the photo you sent as the payment proof of ${n}: ${str(payload, 'reason') ?? 'it was refused'}. Please send a screenshot of the payment (JPEG or PNG).`);
    default:
      return null;
  }
}

function lowStockText(payload: Record<string, unknown>, product: Product | null | undefined): string {
  const name = product?.name ?? str(payload, 'product_name', 'name') ?? `product #${str(payload, 'product_id') ?? '?'}`;
  const left = product ? String(product.available_quantity) : str(payload, 'available_quantity', 'stock_quantity');
  const threshold = product ? String(product.low_stock_threshold) : str(payload, 'low_stock_threshold', 'threshold');
  return `⚠️ Low stock: ${name}${left !== null ? ` — ${left} left` : ''}${threshold !== null ? ` (alert at ${threshold})` : ''}. Time to restock.`;
}

/** A chat message built by the bot's builders → the Send API's message (quick replies get their content type). */
function fromBotMessage(m: BotMessage): OutgoingMessage {
  return {
    ...(m.text !== undefined ? { text: clipText(m.text) } : {}),
    ...(m.attachment ? { attachment: m.attachment } : {}),
    ...(m.quick_replies?.length ? { quick_replies: m.quick_replies.map((q): QuickReply => ({ content_type: 'text', ...q })) } : {}),
  };
}

/** The day summary a daily_summary row carries (written by src/jobs/daily-summary.ts), or null when malformed. */
function daySummaryOf(p: Record<string, unknown>): DaySummary | null {
  const ok = typeof p.date === 'string' && typeof p.by_status === 'object' && p.by_status !== null && Array.isArray(p.top_products) && Array.isArray(p.low_stock);
  return ok ? (p as unknown as DaySummary) : null;
}

export function renderNotification(input: RenderInput): Rendered {
  const { type, payload, order, shop } = input;
  if (type.startsWith('live_')) return renderLive(type, payload, shop.currency);
  if (type === 'daily_summary') {
    const summary = daySummaryOf(payload);
    if (!summary) return { ok: false, reason: 'daily_summary row without a day summary' };
    return { ok: true, audience: 'admin', parts: [fromBotMessage(daySummaryText(summary, shop.currency))] };
  }
  if (type === 'low_stock') return { ok: true, audience: 'admin', parts: [{ text: lowStockText(payload, input.product) }] };
  const ref = order ?? orderRefFromPayload(type, payload);
  if (ref && STATUS_UPDATES.has(type)) {
    const text = customerText(type, ref, payload, shop);
    if (text) return { ok: true, audience: 'customer', parts: [{ text }] };
  }
  if (!order) return { ok: false, reason: `no order found for this ${type} notification` };

  if (type === 'order_received') {
    const parts: OutgoingMessage[] = [receiptTemplate(order, shop), { text: orderReceivedText(order, shop.currency) }];
    const pay = paymentInstructions(order, shop);
    if (pay) parts.push({ text: pay });
    return { ok: true, audience: 'customer', parts };
  }
  if (type === 'new_order_admin')
    return {
      ok: true,
      audience: 'admin',
      parts: [{ text: newOrderAdminText(order, payload, shop.currency), quick_replies: adminOrderQuickReplies(order.id) }],
    };
  if (type === 'payment_proof') {
    // the stored copy (sent as an upload by the processor): Messenger's attachment URL expires
    const mediaId = Number(payload.media_id ?? order.payment_proof_media_id);
    if (!Number.isSafeInteger(mediaId) || mediaId <= 0) return { ok: false, reason: `payment_proof for ${order.order_number} has no stored image` };
    const text = `🧾 Payment proof for ${order.order_number} (${formatMoney(order.total_amount, shop.currency)}, ${paymentLabel(order.payment_method)}) from ${order.customer.name}`;
    return {
      ok: true,
      audience: 'admin',
      parts: [
        { text },
        { attachment: { type: 'image', payload: { media_id: mediaId, is_reusable: true } }, quick_replies: adminOrderQuickReplies(order.id) },
      ],
    };
  }
  if (type === 'payment_proof_failed') {
    const text = `⚠️ The payment proof ${order.customer.name} sent for ${order.order_number} could not be saved: ${str(payload, 'reason') ?? 'download failed'}. Ask them to send it again.`;
    return { ok: true, audience: 'admin', parts: [{ text: clipText(text), quick_replies: adminOrderQuickReplies(order.id) }] };
  }
  return { ok: false, reason: `unknown notification_type '${type}'` };
}

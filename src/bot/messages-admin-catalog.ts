import { formatMoney } from '../orders/money.js';
import type { DaySummary, Product } from '../orders/index.js';
import type { BotMessage, QuickReplyOption } from './messages-shop.js';
import { P } from './payloads.js';

/** Message builders for the admin's catalog tools (➕ Add product, 📦 Stock, 🧾 Today). Pure. */
const qr = (title: string, payload: string): QuickReplyOption => ({ title: title.slice(0, 20), payload });

export const catalogMenuReplies = (): QuickReplyOption[] => [
  qr('📋 Pending orders', P.ADMIN_PENDING),
  qr('➕ Add product', P.ADMIN_ADD_PRODUCT),
  qr('📦 Stock', P.ADMIN_STOCK),
  qr('🧾 Today', P.ADMIN_TODAY),
];

export interface ProductDraft {
  name: string;
  price: number;
  stock_quantity: number;
  category: string | null;
  image_url: string | null;
}

/** The product card as shoppers will see it, before "Save". */
export function draftCard(d: ProductDraft, currency: string): BotMessage {
  const element = {
    title: d.name.slice(0, 80),
    subtitle: `${formatMoney(d.price * 100, currency, 'centavos')} · ${d.stock_quantity} in stock${d.category ? ` · ${d.category}` : ''}`.slice(0, 80),
    ...(d.image_url ? { image_url: d.image_url } : {}),
  };
  return { attachment: { type: 'template', payload: { template_type: 'generic', elements: [element] } } };
}

export function stockStatus(p: Product): string {
  const shown = p.status === 'active' ? 'shown in the shop' : 'hidden from the shop';
  return `${p.name}: ${p.stock_quantity} on hand, ${p.reserved_quantity} reserved for open orders, ${p.available_quantity} available to sell (${shown}).`;
}

export function stockActions(p: Product): BotMessage {
  return {
    text: `${stockStatus(p)}\nWhat would you like to do?`,
    quick_replies: [
      qr('Set stock', P.adminStockDo(p.id, 'set')),
      qr('Add stock', P.adminStockDo(p.id, 'add')),
      p.status === 'active' ? qr('🙈 Hide', P.adminStockDo(p.id, 'hide')) : qr('👀 Show', P.adminStockDo(p.id, 'show')),
      qr('📦 Other product', P.ADMIN_STOCK),
    ],
  };
}

/** Products to pick from (quick replies: at most 13, so 12 products and "Search again"). */
export function stockPicker(products: Product[], intro: string): BotMessage {
  if (!products.length) return { text: `${intro} Nothing found — type another name.`, quick_replies: catalogMenuReplies() };
  return {
    text: `${intro} Tap one, or type a name to search.`,
    quick_replies: products.slice(0, 12).map((p) => qr(`${p.name} (${p.stock_quantity})`, P.adminStockOf(p.id))),
  };
}

export function daySummaryText(d: DaySummary, currency: string): BotMessage {
  const s = d.by_status;
  const lines = [
    `🧾 Today, ${d.date}: ${d.total_orders} order${d.total_orders === 1 ? '' : 's'}, revenue ${formatMoney(d.revenue, currency)}`,
    `Pending ${s.pending} · Confirmed ${s.confirmed} · Processing ${s.processing} · Shipped ${s.shipped} · Delivered ${s.delivered} · Cancelled ${s.cancelled} · Expired ${s.expired}`,
    d.top_products.length ? `Top products:\n${d.top_products.map((p) => `• ${p.name} — ${p.units} sold (${formatMoney(p.revenue, currency)})`).join('\n')}` : 'No sales yet today.',
    d.low_stock.length ? `Low stock:\n${d.low_stock.map((p) => `• ${p.name} — ${p.out_of_stock ? 'out of stock' : `${p.available} left`}`).join('\n')}` : 'Stock is fine everywhere.',
  ];
  return { text: lines.join('\n').slice(0, 2000), quick_replies: catalogMenuReplies() };
}

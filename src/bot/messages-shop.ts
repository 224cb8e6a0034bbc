import { formatMoney } from '../orders/money.js';
import type { CategorySummary, Product } from '../orders/types.js';
import type { CartView, Checkout } from '../orders/cart-service.js';
import { P } from './payloads.js';
import { paymentLabel } from '../orders/payment-methods.js';

/** Message builders for the shop side: pure data in, Messenger message out (unit-tested). */
export interface QuickReplyOption {
  title: string;
  payload: string;
}

export interface BotMessage {
  text?: string;
  quick_replies?: QuickReplyOption[];
  attachment?: { type: 'template'; payload: Record<string, unknown> };
}

export interface Button {
  type: 'postback';
  title: string;
  payload: string;
}

const qr = (title: string, payload: string): QuickReplyOption => ({ title: title.slice(0, 20), payload });
const button = (title: string, payload: string): Button => ({ type: 'postback', title: title.slice(0, 20), payload });

export function menuReplies(isAdmin = false): QuickReplyOption[] {
  const base = [qr('🛍️ Shop', P.SHOP), qr('🛒 Cart', P.CART), qr('📦 My orders', P.ORDERS), qr('❓ Help', P.HELP)];
  return isAdmin ? [...base, qr('🛠️ Admin', P.ADMIN_MENU)] : base;
}

export function welcome(shopName: string, isAdmin = false): BotMessage {
  return {
    text: `Hi! Welcome to ${shopName} 👋 Browse our products, fill your cart and check out right here in the chat. What would you like to do?`,
    quick_replies: menuReplies(isAdmin),
  };
}

export function help(isAdmin = false): BotMessage {
  return {
    text:
      'Here is what I can do:\n• Shop — browse categories and products\n• Type a product name to search\n' +
      '• Cart — view, change or check out your cart\n• My orders — track or cancel an order\n' +
      'You can tap a menu button at any time, even in the middle of a question.',
    quick_replies: menuReplies(isAdmin),
  };
}

export function didNotUnderstand(text: string, isAdmin = false): BotMessage {
  const shown = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  return {
    text: `Sorry, I couldn't find anything for "${shown}". Try another product name, or pick from the menu:`,
    quick_replies: menuReplies(isAdmin),
  };
}

const CATEGORIES_PER_PAGE = 10;
export const OTHER_PRODUCTS_TITLE = '📦 Other products';

/**
 * Categories as quick replies, 10 at a time with "More" (Messenger shows at most 13 quick replies). The
 * products without a category come last as "Other products", so every product can be reached.
 */
export function categoriesMessage(categories: CategorySummary[], offset = 0): BotMessage {
  if (!categories.length) return { text: 'Our shelves are empty right now — please check back soon!', quick_replies: menuReplies() };
  const start = Number.isSafeInteger(offset) && offset > 0 && offset < categories.length ? offset : 0;
  const page = categories
    .slice(start, start + CATEGORIES_PER_PAGE)
    .map((c) => (c.category === null ? qr(OTHER_PRODUCTS_TITLE, P.otherProducts()) : qr(c.category, P.category(c.category))));
  const more = start + CATEGORIES_PER_PAGE < categories.length ? [qr('More ▶', P.shopPage(start + CATEGORIES_PER_PAGE))] : [];
  return { text: 'What are you looking for? Pick a category, or type a product name to search.', quick_replies: [...page, ...more] };
}

/** True when the shop has products but no categories at all: the shopper goes straight to the products. */
export function onlyUncategorized(categories: CategorySummary[]): boolean {
  return categories.length === 1 && categories[0]!.category === null;
}

export function stockHint(available: number): string {
  if (available <= 0) return 'Out of stock';
  if (available <= 5) return `Only ${available} left`;
  return 'In stock';
}

/** Generic-template carousel (at most 10 cards): image, name, price, stock hint, "Add to cart". */
export function productCarousel(products: Product[], currency: string): BotMessage {
  const elements = products.slice(0, 10).map((p) => ({
    title: p.name.slice(0, 80),
    subtitle: `${formatMoney(p.price, currency)} · ${stockHint(p.available_quantity)}`.slice(0, 80),
    ...(p.image_url ? { image_url: p.image_url } : {}),
    buttons: p.available_quantity > 0 ? [button('Add to cart', P.add(p.id))] : [button('View cart', P.CART)],
  }));
  return { attachment: { type: 'template', payload: { template_type: 'generic', elements } } };
}

/** One page of a category (or of the products without one): the carousel, and "More ▶" when there is more. */
export function productPage(products: Product[], morePayload: string | null, currency: string): BotMessage {
  const more = morePayload ? [qr('More ▶', morePayload)] : [];
  return { ...productCarousel(products, currency), quick_replies: [...more, qr('🛍️ Shop', P.SHOP), qr('🛒 Cart', P.CART)] };
}

export function quantityQuestion(p: Product, currency: string): BotMessage {
  const max = Math.min(5, p.available_quantity);
  const options = Array.from({ length: max }, (_, i) => qr(String(i + 1), P.qty(p.id, i + 1)));
  return { text: `How many ${p.name}? (${formatMoney(p.price, currency)} each)`, quick_replies: [...options, qr('Other', P.qtyOther(p.id))] };
}

export function changeQuantityQuestion(productId: number, name: string): BotMessage {
  const options = [1, 2, 3, 4, 5].map((n) => qr(String(n), P.setQty(productId, n)));
  return { text: `New quantity for ${name}?`, quick_replies: [...options, qr('Other', P.setOther(productId)), qr('Remove', P.remove(productId))] };
}

export function addedToCart(name: string, quantity: number): BotMessage {
  return {
    text: `Added ✅ You now have ${quantity} × ${name} in your cart.`,
    quick_replies: [qr('🛒 View cart', P.CART), qr('Checkout', P.CHECKOUT), qr('Keep shopping', P.SHOP)],
  };
}

export function emptyCart(): BotMessage {
  return { text: 'Your cart is empty. Let’s find something you like!', quick_replies: [qr('🛍️ Shop', P.SHOP), qr('📦 My orders', P.ORDERS)] };
}

/** The cart: one card per line (change / remove) and a total with the next steps. */
export function cartMessages(view: CartView, currency: string): BotMessage[] {
  if (!view.lines.length) return [emptyCart()];
  const elements = view.lines.slice(0, 10).map((l) => ({
    title: `${l.quantity} × ${l.name}`.slice(0, 80),
    subtitle: `${formatMoney(l.unit_price, currency)} each · ${formatMoney(l.line_total, currency)}${l.active ? '' : ' · no longer for sale'}`.slice(0, 80),
    ...(l.image_url ? { image_url: l.image_url } : {}),
    buttons: [button('Change quantity', P.change(l.product_id)), button('Remove', P.remove(l.product_id))],
  }));
  return [
    { attachment: { type: 'template', payload: { template_type: 'generic', elements } } },
    {
      text:
        `Subtotal: ${formatMoney(view.subtotal, currency)} (${view.item_count} item${view.item_count === 1 ? '' : 's'})` +
        (view.lines.length > 10 ? `\nShowing 10 of ${view.lines.length} products; the subtotal counts them all.` : ''),
      quick_replies: [qr('✅ Checkout', P.CHECKOUT), qr('Keep shopping', P.SHOP), qr('Empty cart', P.EMPTY)],
    },
  ];
}


export function paymentQuestion(methods: string[]): BotMessage {
  return {
    text: 'How would you like to pay?',
    quick_replies: methods.map((m) => qr(paymentLabel(m), P.answer(m))),
  };
}

export function addressLines(c: Checkout): string {
  return `${c.name}, ${c.phone}\n${c.address}, ${c.city}, ${c.province} ${c.postal_code}`;
}

export function editQuestion(): BotMessage {
  return {
    text: 'What would you like to change?',
    quick_replies: [qr('Address', P.edit('address')), qr('Payment', P.edit('payment')), qr('Promo code', P.edit('promo')), qr('🛒 Cart', P.CART)],
  };
}

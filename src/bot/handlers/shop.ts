import type { BotServices, RouteHandler, Turn } from '../turn.js';
import { say, sayStaleButton } from '../turn.js';
import { idArg, P } from '../payloads.js';
import * as m from '../messages-shop.js';
import type { Product } from '../../orders/types.js';

/** Browsing and the cart. Each handler parses its payload, calls one service, and says the result. */
export function shopRoutes(s: BotServices): Record<string, RouteHandler> {
  const isAdmin = (t: Turn) => t.admin !== null;

  async function showCart(t: Turn): Promise<void> {
    await say(t.bot, ...m.cartMessages(await s.carts.view(t.customer.id), s.config.CURRENCY));
  }

  /** The product when it can go into a cart; otherwise the shopper is told why and null comes back. */
  async function sellable(t: Turn, productId: number | null): Promise<Product | null> {
    const p = productId ? await s.orders.getProduct(productId) : null;
    const refusal = !p || p.status !== 'active' ? 'Sorry, that product is no longer available.' : p.available_quantity <= 0 ? `Sorry, ${p.name} is out of stock right now.` : null;
    if (refusal) await say(t.bot, { text: refusal, quick_replies: m.menuReplies() });
    return refusal ? null : p;
  }

  async function askQuantity(t: Turn, productId: number | null): Promise<void> {
    const p = await sellable(t, productId);
    if (p) await say(t.bot, m.quantityQuestion(p, s.config.CURRENCY));
  }


  async function showShop(t: Turn): Promise<void> {
    const categories = await s.orders.listCategories();
    if (m.onlyUncategorized(categories)) return showProducts(s, t, { uncategorized: true }, P.otherProducts);
    await say(t.bot, m.categoriesMessage(categories, Number(t.args[0] ?? 0) || 0));
  }

  /** "Other" quantity: a question for a product that can be added, else why not. */
  async function askOtherQuantity(t: Turn, mode: 'add' | 'set'): Promise<void> {
    const productId = idArg(t.args[0]);
    if (!productId) return sayStaleButton(s, t);
    if (await sellable(t, productId)) await t.bot.beginDialog('quantity', { product_id: productId, mode });
  }

  /** add (QTY) or set (SETQTY) a line; the cart service checks stock and limits. */
  async function changeQuantity(t: Turn, mode: 'add' | 'set'): Promise<void> {
    const productId = idArg(t.args[0]);
    const qty = Number(t.args[1]);
    if (!productId) return showCart(t);
    const r = mode === 'add' ? await s.carts.addItem(t.customer.id, productId, qty) : await s.carts.setQuantity(t.customer.id, productId, qty);
    if (r.ok) return say(t.bot, m.addedToCart(r.product_name, r.quantity));
    await say(t.bot, { text: r.message, quick_replies: [{ title: '🛒 View cart', payload: P.CART }, { title: '🛍️ Shop', payload: P.SHOP }] });
  }

  return {
    GET_STARTED: async (t) => say(t.bot, m.welcome(s.config.SHOP_NAME, isAdmin(t))),
    MENU: async (t) => say(t.bot, m.welcome(s.config.SHOP_NAME, isAdmin(t))),
    HELP: async (t) => say(t.bot, m.help(isAdmin(t))),
    SHOP: showShop,
    SEARCH_HINT: async (t) => say(t.bot, { text: 'Type the name of a product and I’ll look it up.' }),
    CATEGORY: async (t) => {
      const name = t.args[0]?.trim();
      if (!name) return showShop({ ...t, args: [] });
      await showProducts(s, t, { category: name }, (cursor) => P.categoryPage(name, cursor));
    },
    CATEGORY_PAGE: async (t) => {
      const [cursor, name] = [t.args[0], t.args[1]?.trim()];
      if (!cursor || !name) return sayStaleButton(s, t);
      await showProducts(s, t, { category: name, cursor }, (next) => P.categoryPage(name, next));
    },
    SEARCH_PAGE: async (t) => {
      const [cursor, query] = [t.args[0], t.args[1]?.trim().slice(0, MAX_QUERY)];
      if (!cursor || !query || query.length < 2) return sayStaleButton(s, t);
      await showProducts(s, t, { search: query, cursor }, (next) => P.searchPage(query, next), `Nothing more found for "${query}".`);
    },
    OTHER_PRODUCTS: async (t) => showProducts(s, t, { uncategorized: true, cursor: t.args[0] || undefined }, P.otherProducts),
    ADD: async (t) => askQuantity(t, idArg(t.args[0])),
    QTY: async (t) => changeQuantity(t, 'add'),
    SETQTY: async (t) => changeQuantity(t, 'set'),
    QTY_OTHER: async (t) => askOtherQuantity(t, 'add'),
    SETQTY_OTHER: async (t) => askOtherQuantity(t, 'set'),
    CHANGE: async (t) => {
      const productId = idArg(t.args[0]);
      const line = (await s.carts.view(t.customer.id)).lines.find((l) => l.product_id === productId);
      if (!line) return showCart(t);
      await say(t.bot, m.changeQuantityQuestion(line.product_id, line.name));
    },
    REMOVE: async (t) => {
      const productId = idArg(t.args[0]);
      if (!productId) return sayStaleButton(s, t);
      await s.carts.removeItem(t.customer.id, productId);
      await say(t.bot, { text: 'Removed from your cart.' });
      await showCart(t);
    },
    CART: showCart,
    EMPTY_CART: async (t) =>
      say(t.bot, {
        text: 'Remove everything from your cart?',
        quick_replies: [{ title: 'Yes, empty it', payload: P.EMPTY_YES }, { title: 'No, keep it', payload: P.CART }],
      }),
    EMPTY_CART_YES: async (t) => {
      await s.carts.empty(t.customer.id);
      await say(t.bot, m.emptyCart());
    },
  };
}

const MAX_QUERY = 100;

/**
 * One page (10) of a category, of the products without one, or of a search's results; "More ▶" pays out
 * the next page (its payload carries the cursor and what was asked).
 */
async function showProducts(
  s: BotServices,
  t: Turn,
  query: { category?: string; uncategorized?: boolean; search?: string; cursor?: string },
  more: (cursor: string) => string,
  empty = 'Nothing in that category right now.',
): Promise<void> {
  const page = await s.orders.listProducts({ ...query, limit: 10 });
  if (!page.products.length) return say(t.bot, { text: empty, quick_replies: m.menuReplies() });
  await say(t.bot, m.productPage(page.products, page.next_cursor ? more(page.next_cursor) : null, s.config.CURRENCY));
}

/** Typed text that is not a command: search the catalog by name, or say what can be done. */
/** true when something was found (the handover counts answers that found nothing) */
export async function searchByText(s: BotServices, t: Turn, text: string): Promise<boolean> {
  const query = text.trim().slice(0, MAX_QUERY);
  const page = query.length >= 2 ? await s.orders.listProducts({ search: query, limit: 10 }) : { products: [], next_cursor: null };
  if (page.products.length) {
    const more = page.next_cursor ? P.searchPage(query, page.next_cursor) : null;
    await say(t.bot, { text: `Here's what I found for "${query}":` }, m.productPage(page.products, more, s.config.CURRENCY));
    return true;
  }
  await say(t.bot, m.didNotUnderstand(query, t.admin !== null));
  return false;
}

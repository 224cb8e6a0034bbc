/**
 * Every quick-reply / postback payload the bot sends, in one place. Payloads starting with ANSWER: are
 * answers to the question being asked; every other payload is a command and interrupts a question.
 */
export const P = {
  GET_STARTED: 'GET_STARTED',
  MENU: 'MENU',
  SHOP: 'SHOP',
  CART: 'CART',
  ORDERS: 'MY_ORDERS',
  HELP: 'HELP',
  SEARCH_HINT: 'SEARCH_HINT',
  shopPage: (offset: number) => `SHOP:${offset}`,
  category: (name: string) => `CATEGORY:${name}`,
  /** the next page of a category's carousel; the name goes last because it may contain ':' */
  categoryPage: (name: string, cursor: string) => `CATEGORY_PAGE:${cursor}:${name}`,
  /** the next page of a search's results; the words go last because they may contain ':' */
  searchPage: (query: string, cursor: string) => `SEARCH_PAGE:${cursor}:${query}`,
  /** products without a category (a page of them when a cursor is given) */
  otherProducts: (cursor?: string) => (cursor ? `OTHER_PRODUCTS:${cursor}` : 'OTHER_PRODUCTS'),
  add: (productId: number) => `ADD:${productId}`,
  qty: (productId: number, n: number) => `QTY:${productId}:${n}`,
  qtyOther: (productId: number) => `QTY_OTHER:${productId}`,
  change: (productId: number) => `CHANGE:${productId}`,
  setQty: (productId: number, n: number) => `SETQTY:${productId}:${n}`,
  setOther: (productId: number) => `SETQTY_OTHER:${productId}`,
  remove: (productId: number) => `REMOVE:${productId}`,
  EMPTY: 'EMPTY_CART',
  EMPTY_YES: 'EMPTY_CART_YES',
  CHECKOUT: 'CHECKOUT',
  /** the total the shopper was shown rides along: the engine refuses the order if it moved */
  placeOrder: (cartId: number, totalCentavos: number) => `PLACE_ORDER:${cartId}:${totalCentavos}`,
  EDIT: 'EDIT_CHECKOUT',
  edit: (section: 'address' | 'payment' | 'promo') => `EDIT:${section}`,
  order: (orderId: number) => `ORDER:${orderId}`,
  cancelOrder: (orderId: number) => `CANCEL_ORDER:${orderId}`,
  cancelYes: (orderId: number) => `CANCEL_ORDER_YES:${orderId}`,
  ADMIN_MENU: 'ADMIN_MENU',
  ADMIN_PENDING: 'ADMIN_PENDING',
  ADMIN_TO_SHIP: 'ADMIN_TO_SHIP',
  ADMIN_LOW_STOCK: 'ADMIN_LOW_STOCK',
  ADMIN_ADD_PRODUCT: 'ADMIN_ADD_PRODUCT',
  ADMIN_STOCK: 'ADMIN_STOCK',
  ADMIN_TODAY: 'ADMIN_TODAY',
  /** a product picked in the Stock menu */
  adminStockOf: (productId: number) => `ADMIN_STOCK_OF:${productId}`,
  /** set | add | hide | show on a product */
  adminStockDo: (productId: number, action: 'set' | 'add' | 'hide' | 'show') => `ADMIN_STOCK_DO:${productId}:${action}`,
  adminConfirm: (orderId: number) => `ADMIN_CONFIRM:${orderId}`,
  adminCancel: (orderId: number) => `ADMIN_CANCEL:${orderId}`,
  adminDetails: (orderId: number) => `ADMIN_DETAILS:${orderId}`,
  adminShip: (orderId: number) => `ADMIN_SHIP:${orderId}`,
  adminDeliver: (orderId: number) => `ADMIN_DELIVER:${orderId}`,
  answer: (value: string) => `ANSWER:${value}`,
  /** live selling: the private reply's button (the claim); the admin's live-sale set-up; handover */
  liveClaim: (claimId: number) => `LIVE_CLAIM:${claimId}`,
  LIVE_SALE: 'LIVE_SALE',
  TALK_TO_PERSON: 'TALK_TO_PERSON',
  resumeBot: (psid: string) => `RESUME_BOT:${psid}`,
} as const;

export interface ParsedPayload {
  name: string;
  args: string[];
}

/** 'QTY:12:3' → { name: 'QTY', args: ['12', '3'] }; a category name or search words (always the last argument) may themselves contain ':'. */
export function parsePayload(payload: string): ParsedPayload {
  const i = payload.indexOf(':');
  if (i < 0) return { name: payload, args: [] };
  const name = payload.slice(0, i);
  const rest = payload.slice(i + 1);
  if (name === 'CATEGORY' || name === 'ANSWER') return { name, args: [rest] };
  if (name === 'CATEGORY_PAGE' || name === 'SEARCH_PAGE') {
    const j = rest.indexOf(':');
    return { name, args: j < 0 ? [rest] : [rest.slice(0, j), rest.slice(j + 1)] };
  }
  return { name, args: rest.split(':') };
}

/** A positive integer id from a payload argument, or null (a forged payload never reaches SQL as NaN). */
export function idArg(s: string | undefined): number | null {
  return s && /^\d{1,15}$/.test(s) && Number(s) > 0 ? Number(s) : null;
}

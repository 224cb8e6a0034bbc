import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { withTransaction, type Conn, type Db } from '../db/pool.js';
import { toCentavos, toDecimal } from './money.js';
import * as sql from './sql/cart-sql.js';
import { readFrom, type ReadRows } from '../db/read-rows.js';

/**
 * The bot's cart: one open cart per customer in `carts` / `cart_items`, priced from `products` every
 * time it is read (never from what the chat showed earlier). Pure domain code: the bot calls it, the
 * engine turns the cart into an order (createOrder with ctx.cart_id).
 */
export const PLACEHOLDER_NAME = 'Messenger customer';

export interface SavedAddress {
  name: string;
  phone: string;
  address: string;
  city: string;
  province: string;
  postal_code: string;
}

export interface Customer {
  id: number;
  name: string;
  phone: string | null;
  is_blocked: boolean;
  saved_address: SavedAddress | null;
}

export interface Checkout extends Partial<SavedAddress> {
  payment_method?: string;
  promo_code?: string | null;
}

export interface CartLine {
  product_id: number;
  name: string;
  unit_price: string;
  quantity: number;
  line_total: string;
  available: number;
  active: boolean;
  image_url: string | null;
}

export interface CartView {
  cart_id: number;
  lines: CartLine[];
  subtotal: string;
  item_count: number;
  checkout: Checkout;
}

export type CartChange =
  | { ok: true; product_name: string; quantity: number }
  | { ok: false; code: 'PRODUCT_NOT_FOUND' | 'PRODUCT_INACTIVE' | 'INSUFFICIENT_STOCK' | 'OUT_OF_RANGE'; message: string; available?: number };

/** The createOrder payload for a cart: its lines and the checkout answers (prices and totals are the engine's). */
export function orderRequestFrom(userId: number, view: CartView) {
  const c = view.checkout;
  return {
    user_id: userId,
    items: view.lines.map((l) => ({ product_id: l.product_id, quantity: l.quantity })),
    payment_method: c.payment_method,
    ...(c.promo_code ? { promo_code: c.promo_code } : {}),
    shipping_address: {
      recipient_name: c.name,
      phone: c.phone,
      address: c.address,
      city: c.city,
      province: c.province,
      postal_code: c.postal_code,
    },
  };
}

/** the checkout answers' keys (Checkout): they name a JSON path in MERGE_CHECKOUT */
const CHECKOUT_KEY = /^[a-z_]{1,40}$/;

const parseJson = <T>(v: unknown): T | null => (v === null || v === undefined ? null : typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));

/**
 * `read`: how the turn's first read (ensureCustomer's SELECT) goes to the database; the bot passes one that
 * joins what concurrent turns read at that moment into one round trip (db/read-rows.ts). Default: alone.
 */
export function createCartService(db: Db, opts: { maxItemQuantity: number; read?: ReadRows }) {
  const read = opts.read ?? readFrom(db);
  /** The user's open cart row (id and checkout JSON), created when missing. */
  async function openCart(conn: Conn | Db, userId: number): Promise<RowDataPacket> {
    const [rows] = await conn.query<RowDataPacket[]>(sql.SELECT_OPEN_CART, [userId]);
    if (rows[0]) return rows[0];
    await conn.query(sql.INSERT_OPEN_CART, [userId]);
    const [again] = await conn.query<RowDataPacket[]>(sql.SELECT_OPEN_CART, [userId]);
    return again[0]!;
  }
  const openCartId = async (conn: Conn | Db, userId: number) => Number((await openCart(conn, userId)).id);

  /** The cart's lines, priced from products now, with the checkout JSON its row holds. */
  async function linesOf(cartId: number, checkout: unknown): Promise<CartView> {
    const [rows] = await db.query<RowDataPacket[]>(sql.SELECT_CART_LINES, [cartId]);
    let subtotal = 0;
    const lines = rows.map((r): CartLine => {
      const unit = toCentavos(String(r.price)) ?? 0;
      subtotal += unit * Number(r.quantity);
      return {
        product_id: Number(r.product_id),
        name: String(r.name),
        unit_price: toDecimal(unit),
        quantity: Number(r.quantity),
        line_total: toDecimal(unit * Number(r.quantity)),
        available: Number(r.available),
        active: r.status === 'active',
        image_url: (r.image_url as string | null) ?? null,
      };
    });
    return {
      cart_id: cartId,
      lines,
      subtotal: toDecimal(subtotal),
      item_count: lines.reduce((n, l) => n + l.quantity, 0),
      checkout: parseJson<Checkout>(checkout) ?? {},
    };
  }

  async function changeLine(userId: number, productId: number, quantity: number, mode: 'add' | 'set'): Promise<CartChange> {
    if (!Number.isInteger(quantity) || quantity < 1 || quantity > opts.maxItemQuantity) {
      return { ok: false, code: 'OUT_OF_RANGE', message: `Please choose a quantity from 1 to ${opts.maxItemQuantity}.` };
    }
    return withTransaction(db, async (conn) => {
      const [prows] = await conn.query<RowDataPacket[]>(sql.SELECT_PRODUCT_FOR_CART, [productId]);
      const p = prows[0];
      if (!p) return { ok: false, code: 'PRODUCT_NOT_FOUND', message: 'That product no longer exists.' };
      if (p.status !== 'active') return { ok: false, code: 'PRODUCT_INACTIVE', message: `${p.name} is no longer for sale.` };
      const cartId = await openCartId(conn, userId);
      await conn.query(sql.LOCK_CART, [cartId]);
      const [lrows] = await conn.query<RowDataPacket[]>(sql.SELECT_LINE_FOR_UPDATE, [cartId, productId]);
      const next = mode === 'add' ? Number(lrows[0]?.quantity ?? 0) + quantity : quantity;
      const available = Number(p.available);
      if (next > opts.maxItemQuantity) {
        return { ok: false, code: 'OUT_OF_RANGE', message: `You can order at most ${opts.maxItemQuantity} of ${p.name}.` };
      }
      if (next > available) {
        return { ok: false, code: 'INSUFFICIENT_STOCK', message: `Only ${available} of ${p.name} left.`, available };
      }
      await conn.query(sql.UPSERT_LINE, [cartId, productId, next]);
      return { ok: true, product_name: String(p.name), quantity: next };
      // READ COMMITTED: a line read FOR UPDATE that finds no row takes no gap lock, so customers adding to
      // new carts at once do not deadlock on the end of cart_items' index; the cart row lock orders one cart's changes.
    }, { isolation: 'READ COMMITTED' });
  }

  return {
    /**
     * First contact creates the user by PSID with a placeholder name; a message stamps last_message_at
     * (at most once a minute: one read instead of a write per turn; the 24-hour window only gets safer).
     */
    async ensureCustomer(psid: string): Promise<Customer> {
      let rows = await read(sql.SELECT_CUSTOMER, [psid]);
      if (!rows[0]) {
        await db.query(sql.INSERT_CUSTOMER, [psid, PLACEHOLDER_NAME]);
        [rows] = await db.query<RowDataPacket[]>(sql.SELECT_CUSTOMER, [psid]);
      } else if (Number(rows[0].stale)) {
        await db.query(sql.TOUCH_CUSTOMER, [rows[0].id]);
      }
      const r = rows[0]!;
      return {
        id: Number(r.id),
        name: String(r.name),
        phone: (r.phone as string | null) ?? null,
        is_blocked: Boolean(r.is_blocked),
        saved_address: parseJson<SavedAddress>(r.saved_address),
      };
    },

    addItem: (userId: number, productId: number, quantity: number) => changeLine(userId, productId, quantity, 'add'),
    setQuantity: (userId: number, productId: number, quantity: number) => changeLine(userId, productId, quantity, 'set'),

    async removeItem(userId: number, productId: number): Promise<void> {
      await db.query(sql.DELETE_LINE, [await openCartId(db, userId), productId]);
    },

    async empty(userId: number): Promise<void> {
      await db.query(sql.DELETE_ALL_LINES, [await openCartId(db, userId)]);
    },

    /** The open cart (created when missing), priced from the database now. */
    async view(userId: number): Promise<CartView> {
      // the open cart's row already holds its checkout: its lines are the one read left (not the row again)
      const cart = await openCart(db, userId);
      return linesOf(Number(cart.id), cart.checkout);
    },

    /**
     * A given cart of this user (open or already checked out), or null: another customer's cart is
     * null exactly like a cart that does not exist (its lines are never read).
     */
    async viewCart(userId: number, cartId: number): Promise<CartView | null> {
      const [crows] = await db.query<RowDataPacket[]>(sql.SELECT_CART_BY_ID, [cartId, userId]);
      return crows[0] ? linesOf(cartId, crows[0].checkout) : null;
    },

    /**
     * Merge answers into the open cart's checkout JSON: one UPDATE, where this was a transaction of five
     * round trips (the cart found, then locked, read, written, committed) on every checkout answer
     * (bench:webhook's journey). A customer without an open cart gets one first (the UPDATE then runs again).
     */
    async saveCheckout(userId: number, patch: Checkout): Promise<void> {
      const entries = Object.entries(patch).filter(([, v]) => v !== undefined);
      if (!entries.length) return;
      for (const [k] of entries) if (!CHECKOUT_KEY.test(k)) throw new Error(`not a checkout field: ${k}`);
      const merge = () => db.query<ResultSetHeader>(sql.MERGE_CHECKOUT(entries.length), [...entries.flatMap(([k, v]) => [`$."${k}"`, v]), userId]);
      // 0 rows: no open cart (or the answers were already there: the cart is found, nothing changes)
      if ((await merge())[0].affectedRows === 0) {
        await openCartId(db, userId);
        await merge();
      }
    },

    /** The open cart's checkout answers so far (the cart is created when missing). */
    async checkout(userId: number): Promise<Checkout> {
      return parseJson<Checkout>((await openCart(db, userId)).checkout) ?? {};
    },

    /** Remember the address for next time; the name the customer typed replaces the placeholder. */
    async saveAddress(userId: number, a: SavedAddress): Promise<void> {
      await db.query(sql.SAVE_ADDRESS, [JSON.stringify(a), a.name, a.phone, userId]);
    },
  };
}

export type CartService = ReturnType<typeof createCartService>;

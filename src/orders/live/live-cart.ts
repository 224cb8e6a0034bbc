import type { RowDataPacket } from 'mysql2';
import type { Db } from '../../db/pool.js';
import { readFrom, type ReadRows } from '../../db/read-rows.js';
import { runTx } from '../tx.js';
import { toCentavos, toDecimal } from '../money.js';
import * as cartSql from '../sql/cart-sql.js';
import * as sql from './live-sql.js';
import type { CartedHold } from './live-types.js';

/**
 * The buyer wrote to the Page (tapped the private reply's button or typed anything): their claims are
 * tied to their PSID through the private reply Graph answered with it, and every held claim becomes a
 * line of their open cart. The reservation keeps holding the units (hold_cart_id), and createOrder's
 * transaction turns it into the order's reservation (sp_adopt_cart_holds). Idempotent: a claim joins a
 * cart once; the same inbound event asking again (its turn re-run) gets the claims it carted back.
 */
const carted = (h: RowDataPacket): CartedHold => ({
  claim_id: Number(h.id),
  code: String(h.code),
  name: String(h.name),
  price: toDecimal(toCentavos(String(h.price)) ?? 0),
  quantity: Number(h.quantity),
  hold_expires_at: new Date(h.hold_expires_at as Date).toISOString(),
});

export function createLiveCart(db: Db, read: ReadRows = readFrom(db)) {
  return {
    async hasClaimsToAttach(psid: string, eventId: string): Promise<boolean> {
      const rows = await read(sql.HAS_CLAIMS_TO_ATTACH, [psid, eventId, psid]);
      return Number(rows[0]?.pending) === 1;
    },

    async attachHolds(psid: string, userId: number, eventId: string): Promise<CartedHold[]> {
      return runTx(db, async (conn) => {
        await conn.query(sql.LINK_CLAIMS_TO_PSID, [psid]);
        const [held] = await conn.query<RowDataPacket[]>(sql.SELECT_HELD_TO_CART, [psid, eventId]);
        if (!held.length) return [];
        if (held.every((h) => h.cart_id !== null)) return held.map(carted); // this event's turn, run again
        let [carts] = await conn.query<RowDataPacket[]>(cartSql.SELECT_OPEN_CART, [userId]);
        if (!carts[0]) {
          await conn.query(cartSql.INSERT_OPEN_CART, [userId]);
          [carts] = await conn.query<RowDataPacket[]>(cartSql.SELECT_OPEN_CART, [userId]);
        }
        const cartId = Number(carts[0]!.id);
        const out: CartedHold[] = [];
        for (const h of held) {
          if (h.cart_id === null) {
            await conn.query(sql.ADD_HELD_LINE, [cartId, h.product_id, h.quantity]);
            await conn.query(sql.TIE_HOLD_TO_CART, [cartId, h.reservation_id]);
            await conn.query(sql.SET_CLAIM_CART, [cartId, eventId, h.id]);
          }
          out.push(carted(h));
        }
        return out;
      });
    },
  };
}

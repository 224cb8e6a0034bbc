import type { ResultSetHeader, RowDataPacket } from 'mysql2';
import type { Conn } from '../../db/pool.js';
import { signalOf } from '../tx.js';
import { toCentavos, toDecimal } from '../money.js';
import * as sql from './live-sql.js';
import type { HoldDue } from './live-types.js';

/**
 * The one home of "units came back on a live-sale code": the oldest waiting claims get holds while
 * stock lasts. Called inside the transaction that gave the units back — a hold expiring
 * (live-claims.ts) or an order made from live holds cancelled or expired (releaseOrderClaims, called by
 * the engine's transitions) — so no other buyer can take them in between.
 */

/** Holds made (their expiry jobs are added after commit) and promotion messages queued (published after commit). */
export interface Promoted {
  held: HoldDue[];
  notify: number[];
}

export const emptyPromoted = (): Promoted => ({ held: [], notify: [] });

/** Try to give a claim its hold; false when the product has not enough available (the claim waits). */
export async function tryHold(conn: Conn, claimId: number, productId: number, quantity: number, holdMinutes: number, held: HoldDue[]): Promise<boolean> {
  const expiresAt = new Date(Date.now() + Math.round(holdMinutes * 60_000));
  try {
    await conn.query(sql.CALL_HOLD, [claimId, productId, quantity, expiresAt]);
  } catch (err) {
    if (signalOf(err)?.code === 'INSUFFICIENT_STOCK') return false;
    throw err;
  }
  held.push({ claimId, expiresAt });
  return true;
}

/** Units came back on a code: the oldest waiting claims get holds while stock lasts. */
export async function promoteWaitlist(conn: Conn, codeId: number, holdMinutes: number, out: Promoted): Promise<void> {
  for (;;) {
    const [head] = await conn.query<RowDataPacket[]>(sql.SELECT_WAITLIST_HEAD, [codeId, 1]);
    const next = head[0];
    if (!next) return;
    if (!(await tryHold(conn, Number(next.id), Number(next.product_id), Number(next.quantity), holdMinutes, out.held))) return;
    // told in Messenger when they have written to the Page; else the hold waits for them to answer
    // the private reply they already have (it cannot be replied to twice)
    if (next.psid) {
      const [rows] = await conn.query<RowDataPacket[]>(sql.SELECT_CLAIM_ITEM, [next.id]);
      const r = rows[0]!;
      const payload = {
        claim_id: Number(next.id),
        code: r.code,
        name: r.name,
        price: toDecimal(toCentavos(String(r.price)) ?? 0),
        quantity: Number(next.quantity),
        hold_minutes: holdMinutes,
      };
      const [res] = await conn.query<ResultSetHeader>(sql.INSERT_NOTIFICATION, ['customer', String(next.psid), 'live_promoted', JSON.stringify(payload)]);
      out.notify.push(res.insertId);
    }
  }
}

/**
 * An order made from live holds was cancelled or expired (its reservations were just released, in this
 * transaction): its claims are 'released' / 'expired', and on a sale still live each code's waitlist is
 * promoted with the units — the same rule as an expired hold.
 */
export async function releaseOrderClaims(conn: Conn, orderId: number, to: 'cancelled' | 'expired', holdMinutes: number): Promise<Promoted> {
  const out = emptyPromoted();
  const [claims] = await conn.query<RowDataPacket[]>(sql.SELECT_ORDER_CLAIMS, [orderId]);
  if (!claims.length) return out;
  await conn.query(sql.SET_CLAIMS_STATUS, [to === 'cancelled' ? 'released' : 'expired', claims.map((c) => c.id)]);
  const codes = [...new Set(claims.filter((c) => c.sale_status === 'live').map((c) => Number(c.code_id)))];
  for (const codeId of codes) await promoteWaitlist(conn, codeId, holdMinutes, out);
  return out;
}

import type { RowDataPacket } from 'mysql2';
import type { Conn, Db } from '../../db/pool.js';
import { toCentavos, toDecimal } from '../money.js';
import * as sql from './live-sql.js';
import type { LiveCodeTally } from './live-types.js';

/** Per code of a sale: stock, claimed, waitlist (units) — the API's, the admins' tally and the summary. */
export function tallyOf(r: RowDataPacket): LiveCodeTally {
  return {
    code: String(r.code),
    product_id: Number(r.product_id),
    name: String(r.name),
    price: toDecimal(toCentavos(String(r.price)) ?? 0),
    stock: Number(r.stock_quantity),
    available: Number(r.available),
    claimed: Number(r.claimed),
    waitlist: Number(r.waitlist),
    checked_out: Number(r.checked_out),
    expired: Number(r.expired),
    limit_per_buyer: r.limit_per_buyer === null ? null : Number(r.limit_per_buyer),
  };
}

export async function readTally(conn: Conn | Db, saleId: number): Promise<LiveCodeTally[]> {
  const [rows] = await conn.query<RowDataPacket[]>(sql.SELECT_TALLY, [saleId]);
  return rows.map(tallyOf);
}


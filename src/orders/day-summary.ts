import type { RowDataPacket } from 'mysql2';
import type { Db } from '../db/pool.js';
import { ORDER_STATUSES, type OrderStatus } from './types.js';
import * as q from './sql/day-summary-sql.js';

/** The shop's day at a glance, from vw_daily_order_summary (orders by status, revenue), best sellers and low stock. */
export interface DaySummary {
  /** YYYY-MM-DD in the shop's time zone */
  date: string;
  total_orders: number;
  by_status: Record<OrderStatus, number>;
  /** DECIMAL string: orders not cancelled or expired */
  revenue: string;
  top_products: { name: string; units: number; revenue: string }[];
  low_stock: { id: number; name: string; available: number; out_of_stock: boolean }[];
}

export async function daySummary(db: Db): Promise<DaySummary> {
  const [[day], [top], [low], [[today]]] = await Promise.all([
    db.query<RowDataPacket[]>(q.TODAY_FROM_DAILY_VIEW),
    db.query<RowDataPacket[]>(q.TODAY_TOP_PRODUCTS),
    db.query<RowDataPacket[]>(q.LOW_STOCK_NOW),
    db.query<RowDataPacket[]>(q.SHOP_DATE),
  ]);
  const d = day[0];
  return {
    date: String(today!.d),
    total_orders: Number(d?.total_orders ?? 0),
    by_status: Object.fromEntries(ORDER_STATUSES.map((s) => [s, Number(d?.[s] ?? 0)])) as Record<OrderStatus, number>,
    revenue: d ? String(d.revenue) : '0.00',
    top_products: top.map((r) => ({ name: r.name as string, units: Number(r.units), revenue: String(r.revenue) })),
    low_stock: low.map((r) => ({ id: Number(r.id), name: r.name as string, available: Number(r.available_quantity), out_of_stock: r.stock_status === 'OUT_OF_STOCK' })),
  };
}

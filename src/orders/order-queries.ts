import type { RowDataPacket } from 'mysql2';
import type { Db } from '../db/pool.js';
import { decodeCursor, encodeCursor, iso, jsonOf } from './rows.js';
import * as q from './sql/order-read-sql.js';
import { ORDER_STATUSES, type ListOrdersQuery, type OrderDetail, type OrderPage, type OrderSummary, type Warning } from './types.js';

/** Reading orders: one order with items, reservations and history; pages of orders newest first. */

export async function getOrder(db: Db, orderId: number): Promise<OrderDetail | null> {
  if (!Number.isSafeInteger(orderId) || orderId <= 0) return null;
  return detail(db, q.SELECT_ORDER, orderId);
}

export async function getOrderByNumber(db: Db, orderNumber: string): Promise<OrderDetail | null> {
  if (typeof orderNumber !== 'string' || !orderNumber.trim()) return null;
  return detail(db, q.SELECT_ORDER_BY_NUMBER, orderNumber.trim().toUpperCase());
}

async function detail(db: Db, sql: string, key: number | string): Promise<OrderDetail | null> {
  const [[row]] = await db.query<RowDataPacket[]>(sql, [key]);
  if (!row) return null;
  const id = Number(row.id);
  const [[items], [reservations], [history]] = await Promise.all([
    db.query<RowDataPacket[]>(q.SELECT_ITEMS, [id]),
    db.query<RowDataPacket[]>(q.SELECT_RESERVATIONS, [id]),
    db.query<RowDataPacket[]>(q.SELECT_HISTORY, [id]),
  ]);
  return {
    ...toSummary(row),
    items: items.map((i) => ({
      id: Number(i.id),
      product_id: Number(i.product_id),
      product_name: i.product_name,
      sku: i.sku ?? null,
      unit_price: i.unit_price,
      quantity: Number(i.quantity),
      line_total: i.line_total,
    })),
    reservations: reservations.map((r) => ({
      id: Number(r.id),
      product_id: Number(r.product_id),
      quantity: Number(r.quantity),
      status: r.status,
      expires_at: iso(r.expires_at),
      release_reason: r.release_reason ?? null,
    })),
    history: history.map((h) => ({
      id: Number(h.id),
      from_status: h.from_status ?? null,
      to_status: h.to_status,
      changed_by: h.changed_by,
      reason: h.reason ?? null,
      created_at: iso(h.created_at)!,
    })),
  };
}

export async function listOrders(db: Db, query: ListOrdersQuery): Promise<OrderPage> {
  const limit = Math.min(100, Math.max(1, Math.trunc(Number(query.limit) || 20)));
  const status = query.status && (ORDER_STATUSES as readonly string[]).includes(query.status) ? query.status : null;
  const userId = query.user_id && Number.isSafeInteger(query.user_id) ? query.user_id : null;
  const before = decodeCursor(query.cursor);
  const [rows] = await db.query<RowDataPacket[]>(q.LIST_ORDERS, [status, status, userId, userId, before, before, limit + 1]);
  const page = rows.slice(0, limit).map(toSummary);
  return { orders: page, next_cursor: rows.length > limit ? encodeCursor(page[page.length - 1]!.id) : null };
}

function toSummary(r: RowDataPacket): OrderSummary {
  return {
    id: Number(r.id),
    order_number: r.order_number,
    user_id: Number(r.user_id),
    cart_id: r.cart_id === null ? null : Number(r.cart_id),
    order_status: r.order_status,
    payment_method: r.payment_method,
    payment_status: r.payment_status,
    payment_proof_url: r.payment_proof_url ?? null,
    payment_proof_media_id: r.payment_proof_media_id === null ? null : Number(r.payment_proof_media_id),
    payment_proof_error: r.payment_proof_error ?? null,
    subtotal: r.subtotal,
    shipping_fee: r.shipping_fee,
    discount_amount: r.discount_amount,
    total_amount: r.total_amount,
    promo_code: r.promo_code ?? null,
    recipient_name: r.recipient_name,
    phone: r.phone,
    shipping_address: r.shipping_address,
    city: r.city,
    province: r.province,
    postal_code: r.postal_code,
    order_source: r.order_source,
    fraud_score: Number(r.fraud_score),
    fraud_flags: (jsonOf(r.fraud_flags) ?? []) as Warning[],
    requires_verification: Boolean(r.requires_verification),
    tracking_number: r.tracking_number ?? null,
    admin_notes: r.admin_notes ?? null,
    cancel_reason: r.cancel_reason ?? null,
    error_count: Number(r.error_count),
    confirmed_by: r.confirmed_by ?? null,
    confirmed_at: iso(r.confirmed_at),
    cancelled_at: iso(r.cancelled_at),
    shipped_at: iso(r.shipped_at),
    delivered_at: iso(r.delivered_at),
    expires_at: iso(r.expires_at),
    created_at: iso(r.created_at)!,
    updated_at: iso(r.updated_at)!,
    customer: { name: r.customer_name, phone: r.customer_phone ?? null, psid: r.customer_psid ?? null },
  };
}

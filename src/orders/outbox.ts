import type { ResultSetHeader } from 'mysql2';
import type { Conn } from '../db/pool.js';

/**
 * Outbox writes, always on the caller's transaction connection: the rows commit with the order change
 * or not at all. Ids are returned so the service can publish them right after commit.
 */
const INSERT_NOTIFICATION = `INSERT INTO notification_queue (order_id, recipient_type, recipient_psid, notification_type, payload)
  VALUES (?, ?, ?, ?, ?)`;
const INSERT_PROCESSING = `INSERT INTO order_processing_queue (order_id, queue_type, priority, payload, scheduled_at)
  VALUES (?, ?, ?, ?, ?)`;

export async function queueCustomer(conn: Conn, orderId: number, psid: string, type: string, payload: object): Promise<number> {
  const [res] = await conn.query<ResultSetHeader>(INSERT_NOTIFICATION, [orderId, 'customer', psid, type, JSON.stringify(payload)]);
  return res.insertId;
}

/** recipient_psid NULL: a broadcast row the notifications worker fans out to every admin. */
export async function queueAdmins(conn: Conn, orderId: number | null, type: string, payload: object): Promise<number> {
  const [res] = await conn.query<ResultSetHeader>(INSERT_NOTIFICATION, [orderId, 'admin', null, type, JSON.stringify(payload)]);
  return res.insertId;
}

export async function queueProcessing(
  conn: Conn,
  orderId: number,
  type: 'fulfillment' | 'reservation_expiry' | 'shipping_update',
  payload: object,
  scheduledAt: Date | null = null,
  priority = 0,
): Promise<number> {
  const [res] = await conn.query<ResultSetHeader>(INSERT_PROCESSING, [orderId, type, priority, JSON.stringify(payload), scheduledAt]);
  return res.insertId;
}

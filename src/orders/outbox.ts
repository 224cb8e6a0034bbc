import type { ResultSetHeader } from 'mysql2';
import type { Conn } from '../db/pool.js';

/**
 * Outbox writes, always on the caller's transaction connection: the rows commit with the order change
 * or not at all. Ids are returned so the service can publish them right after commit.
 */
const INTO_NOTIFICATIONS = 'INSERT INTO notification_queue (order_id, recipient_type, recipient_psid, notification_type, payload) VALUES ';
const INTO_PROCESSING = 'INSERT INTO order_processing_queue (order_id, queue_type, priority, payload, scheduled_at) VALUES ';
const INSERT_NOTIFICATION = `${INTO_NOTIFICATIONS}(?, ?, ?, ?, ?)`;
const INSERT_PROCESSING = `${INTO_PROCESSING}(?, ?, ?, ?, ?)`;

export async function queueCustomer(conn: Conn, orderId: number, psid: string, type: string, payload: object): Promise<number> {
  const [res] = await conn.query<ResultSetHeader>(INSERT_NOTIFICATION, [orderId, 'customer', psid, type, JSON.stringify(payload)]);
  return res.insertId;
}

/** recipient_psid NULL: a broadcast row the notifications worker fans out to every admin. */
export async function queueAdmins(conn: Conn, orderId: number | null, type: string, payload: object): Promise<number> {
  const [res] = await conn.query<ResultSetHeader>(INSERT_NOTIFICATION, [orderId, 'admin', null, type, JSON.stringify(payload)]);
  return res.insertId;
}

export interface NotificationRow {
  recipient_type: 'customer' | 'admin';
  /** NULL with recipient_type 'admin': every admin */
  recipient_psid: string | null;
  type: string;
  payload: object;
}

export async function queueProcessing(
  conn: Conn,
  orderId: number,
  type: 'fulfillment' | 'reservation_expiry' | 'shipping_update' | 'proof_download',
  payload: object,
  scheduledAt: Date | null = null,
  priority = 0,
): Promise<number> {
  const [res] = await conn.query<ResultSetHeader>(INSERT_PROCESSING, [orderId, type, priority, JSON.stringify(payload), scheduledAt]);
  return res.insertId;
}

/** A payload object with at least one key, as JSON text: sp_place_order (migration 071) splices order_id into it. */
export function payloadText(payload: object): string {
  const text = JSON.stringify(payload);
  if (!text.startsWith('{') || text === '{}') throw new TypeError('an outbox payload must be an object with at least one key');
  return text;
}

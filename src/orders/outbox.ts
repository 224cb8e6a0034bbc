import type { ResultSetHeader, RowDataPacket } from 'mysql2';
import type { Conn, Db } from '../db/pool.js';

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

export interface NotificationRow {
  recipient_type: 'customer' | 'admin';
  /** NULL with recipient_type 'admin': every admin */
  recipient_psid: string | null;
  type: string;
  payload: object;
}

const INSERT_NOTIFICATIONS = `INSERT INTO notification_queue (order_id, recipient_type, recipient_psid, notification_type, payload) VALUES ?`;

/**
 * Several rows for one order in one statement when the server hands out consecutive ids for a
 * multi-row INSERT (innodb_autoinc_lock_mode 0 or 1: ids are first, first + step, ...); one INSERT per
 * row otherwise (mode 2, MySQL 8's default, may interleave ids with other sessions).
 */
export async function queueNotifications(conn: Conn, orderId: number, rows: NotificationRow[], idStep: number | null): Promise<number[]> {
  if (rows.length === 0) return [];
  if (idStep === null || rows.length === 1) {
    const ids: number[] = [];
    for (const r of rows) {
      const [res] = await conn.query<ResultSetHeader>(INSERT_NOTIFICATION, [orderId, r.recipient_type, r.recipient_psid, r.type, JSON.stringify(r.payload)]);
      ids.push(res.insertId);
    }
    return ids;
  }
  const [res] = await conn.query<ResultSetHeader>(INSERT_NOTIFICATIONS, [
    rows.map((r) => [orderId, r.recipient_type, r.recipient_psid, r.type, JSON.stringify(r.payload)]),
  ]);
  return rows.map((_, i) => res.insertId + i * idStep);
}

/** The id step of a multi-row INSERT, or null when ids of one statement may not be consecutive. */
export async function consecutiveIdStep(db: Db): Promise<number | null> {
  const [[r]] = await db.query<RowDataPacket[]>('SELECT @@innodb_autoinc_lock_mode AS mode, @@auto_increment_increment AS step');
  return r && Number(r.mode) <= 1 ? Number(r.step) : null;
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

import type { ResultSetHeader, RowDataPacket } from 'mysql2';
import type { Conn, Db } from '../db/pool.js';
import type { SqlBatch } from '../db/sql-batch.js';

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

/**
 * The same rows for an order that does not have its id yet: added to createOrder's batch, after the
 * statement that sets @qs_order_id (see create-order-batch.ts), which also goes into each payload as
 * order_id. Returns how to read the new row ids from the batch's results.
 */
const NEW_ORDER_NOTIFICATION = `(@qs_order_id, ?, ?, ?, JSON_INSERT(?, '$.order_id', @qs_order_id))`;
const NEW_ORDER_PROCESSING = `INSERT INTO order_processing_queue (order_id, queue_type, priority, payload, scheduled_at)
  VALUES (@qs_order_id, ?, ?, JSON_INSERT(?, '$.order_id', @qs_order_id), ?)`;
type IdsOf = (results: unknown[]) => number[];
const insertIdAt = (results: unknown[], i: number) => (results[i] as ResultSetHeader).insertId;

export function batchNewOrderNotifications(b: SqlBatch, rows: NotificationRow[], idStep: number | null): IdsOf {
  const values = (r: NotificationRow) => [r.recipient_type, r.recipient_psid, r.type, JSON.stringify(r.payload)];
  const head = 'INSERT INTO notification_queue (order_id, recipient_type, recipient_psid, notification_type, payload) VALUES ';
  if (idStep === null || rows.length <= 1) {
    const at = rows.map((r) => b.add(head + NEW_ORDER_NOTIFICATION, values(r)));
    return (results) => at.map((i) => insertIdAt(results, i));
  }
  const at = b.add(head + rows.map(() => NEW_ORDER_NOTIFICATION).join(', '), rows.flatMap(values));
  return (results) => rows.map((_, i) => insertIdAt(results, at) + i * idStep);
}

export function batchNewOrderProcessing(b: SqlBatch, type: 'reservation_expiry', payload: object, scheduledAt: Date | null): IdsOf {
  const at = b.add(NEW_ORDER_PROCESSING, [type, 0, JSON.stringify(payload), scheduledAt]);
  return (results) => [insertIdAt(results, at)];
}

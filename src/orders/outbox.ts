import type { ResultSetHeader, RowDataPacket } from 'mysql2';
import type { Conn } from '../db/pool.js';
import { parseIds } from './tx.js';
import type { SqlBatch } from '../db/sql-batch.js';

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

/**
 * The same rows for an order that does not have its id yet: added to createOrder's batch, after the
 * statement that sets @qs_order_id (see create-order-batch.ts), which also goes into each payload as
 * order_id. The new row ids are collected in session variables (a compound batch returns no insert
 * ids), reset by RESET_OUTBOX_IDS and read back at the end of the batch as OUTBOX_ID_COLUMNS.
 */
// '{"order_id":<id>,' spliced before the rest of the payload object's text: JSON_INSERT would parse
// and re-serialize the whole payload, on top of the column's own JSON_VALID check
const WITH_ORDER_ID = `CONCAT('{"order_id":', @qs_order_id, ',', SUBSTRING(?, 2))`;
const NEW_ORDER_NOTIFICATION = `(@qs_order_id, ?, ?, ?, ${WITH_ORDER_ID})`;
const NEW_ORDER_PROCESSING = `${INTO_PROCESSING}(@qs_order_id, ?, ?, ${WITH_ORDER_ID}, ?)`;
/** first ids of the notification INSERTs, comma-separated; the processing row's id */
const KEEP_NOTIFICATION_ID = `SET @qs_notification_ids = CONCAT_WS(',', @qs_notification_ids, LAST_INSERT_ID())`;
const KEEP_PROCESSING_ID = 'SET @qs_processing_id = LAST_INSERT_ID()';
export const RESET_OUTBOX_IDS = 'SET @qs_notification_ids = NULL, @qs_processing_id = NULL';
export const OUTBOX_ID_COLUMNS = '@qs_notification_ids AS notification_ids, @qs_processing_id AS processing_id';

/** The row with OUTBOX_ID_COLUMNS → the ids of the rows the two functions below added. */
export interface NewOrderOutboxIds {
  notificationIds: number[];
  processingIds: number[];
}

export function newOrderOutboxIds(row: RowDataPacket | undefined, notificationRows: number, idStep: number | null): NewOrderOutboxIds {
  const firsts = parseIds(row?.notification_ids);
  // one multi-row INSERT: consecutive ids from the first; else one first id per row
  const notificationIds = firsts.length === 1 && notificationRows > 1 && idStep !== null
    ? Array.from({ length: notificationRows }, (_, i) => firsts[0]! + i * idStep)
    : firsts;
  return { notificationIds, processingIds: parseIds(row?.processing_id) };
}

/** a payload object with at least one key, as JSON text to splice order_id into */
function payloadText(payload: object): string {
  const text = JSON.stringify(payload);
  if (!text.startsWith('{') || text === '{}') throw new TypeError('an outbox payload must be an object with at least one key');
  return text;
}

export function batchNewOrderNotifications(b: SqlBatch, rows: NotificationRow[], idStep: number | null): void {
  const values = (r: NotificationRow) => [r.recipient_type, r.recipient_psid, r.type, payloadText(r.payload)];
  if (idStep === null || rows.length <= 1) {
    for (const r of rows) {
      b.add(INTO_NOTIFICATIONS + NEW_ORDER_NOTIFICATION, values(r));
      b.add(KEEP_NOTIFICATION_ID);
    }
    return;
  }
  b.add(INTO_NOTIFICATIONS + rows.map(() => NEW_ORDER_NOTIFICATION).join(', '), rows.flatMap(values));
  b.add(KEEP_NOTIFICATION_ID);
}

export function batchNewOrderProcessing(b: SqlBatch, type: 'reservation_expiry', payload: object, scheduledAt: Date | null): void {
  b.add(NEW_ORDER_PROCESSING, [type, 0, payloadText(payload), scheduledAt]);
  b.add(KEEP_PROCESSING_ID);
}

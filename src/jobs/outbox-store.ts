import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { Db } from '../db/pool.js';

/**
 * SQL for the two outbox tables. Rows move pending → processing → completed | failed, with attempts and
 * last_error, so the seed's "Processing Queue Status" query shows the truth. Every statement is named and
 * parameterized; the table name is one of two constants, never user input.
 */
export type OutboxTable = 'notification_queue' | 'order_processing_queue';
/** 'unknown' (notification_queue only, migration 040): sent, but whether Graph delivered it is not known. */
export type RowStatus = 'pending' | 'processing' | 'completed' | 'failed' | 'unknown';

export interface NotificationRow {
  id: number;
  order_id: number | null;
  parent_id: number | null;
  recipient_type: 'customer' | 'admin';
  recipient_psid: string | null;
  notification_type: string;
  payload: Record<string, unknown>;
  status: RowStatus;
  attempts: number;
  message_id: string | null;
  parts_sent: number;
  /** milliseconds since sending_started_at, or null when no send is in flight */
  sending_for_ms: number | null;
  /** whether recipient_psid wrote to the Page within 24 hours (null: no such user) */
  in_window: boolean | null;
  /** the oldest earlier row for the same recipient that is not settled yet (see earlierOpenFor), or null */
  earlier_open: number | null;
  /** loaded by loadAndClaim: this attempt already owns the send of part parts_sent (see notification-batches.ts) */
  claimed?: boolean;
}

export interface ProcessingRow {
  id: number;
  order_id: number;
  queue_type: string;
  status: RowStatus;
  attempts: number;
  /** ms until scheduled_at (negative when due), or null when not scheduled */
  due_in_ms: number | null;
}

const LAST_ERROR_MAX = 2000;
const clip = (s: string) => (s.length > LAST_ERROR_MAX ? `${s.slice(0, LAST_ERROR_MAX - 1)}…` : s);

function parsePayload(v: unknown): Record<string, unknown> {
  if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  if (typeof v === 'string') {
    try {
      const p = JSON.parse(v) as unknown;
      return p && typeof p === 'object' ? (p as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }
  return {};
}

/**
 * Which earlier rows (e) of the same recipient a row (nq) waits for: every one for a customer (one customer's
 * messages go out in the order of the events that caused them), and for an admin only those about the same
 * order (NULL-safe: rows about no order, e.g. live tallies, wait for each other). An admin's alerts about
 * different orders are independent messages; a slow or failing send of one must not hold back the others.
 */
export const SAME_THREAD = `(nq.recipient_type = 'customer' OR e.order_id <=> nq.order_id)`;

/** no row: what LEAST in EARLIER_OPEN gets for "none" (BIGINT UNSIGNED's largest value) */
const NONE = '18446744073709551615';
/**
 * The oldest earlier row of nq's thread with this status, or NULL. The index is named: with statistics that lag
 * the table (a new shop's, until InnoDB's background recalculation catches up with a burst), MariaDB planned
 * these lookups inside the claim's UPDATE on idx_nq_status_created, and read every pending or in-flight row of
 * the shop for each row it claimed: 6-19 ms a statement in a scratch copy of the bench's table, against 0.3 ms.
 */
const oldestEarlier = (status: 'pending' | 'processing') =>
  `(SELECT MIN(e.id) FROM notification_queue e FORCE INDEX (idx_nq_recipient_open)
     WHERE e.recipient_psid = nq.recipient_psid AND e.status = '${status}' AND e.id < nq.id AND ${SAME_THREAD})`;

/**
 * The oldest earlier row (e) a row (nq) waits for that is still open (pending or processing), or NULL. One
 * lookup per open status, each a ref on idx_nq_recipient_open's (recipient_psid, status): it reads the
 * recipient's open rows only. Written with \`e.status IN ('pending', 'processing')\`, MariaDB could only use the
 * index's first part in a correlated subquery and read every row the recipient ever had, settled ones
 * included: a cost that grew with each customer's history, on every notification sent.
 */
export const EARLIER_OPEN = `NULLIF(LEAST(COALESCE(${oldestEarlier('pending')}, ${NONE}), COALESCE(${oldestEarlier('processing')}, ${NONE})), ${NONE})`;

/**
 * A row's columns; in_window from a join on users (unique psid): as a correlated subquery, the statement cost
 * MariaDB about twice the CPU to plan and run for the few rows a batch loads.
 */
export const NOTIFICATION_COLUMNS = `
  nq.id, nq.order_id, nq.parent_id, nq.recipient_type, nq.recipient_psid, nq.notification_type, nq.payload, nq.status,
  nq.attempts, nq.message_id, nq.parts_sent,
  TIMESTAMPDIFF(MICROSECOND, nq.sending_started_at, NOW(3)) DIV 1000 AS sending_for_ms,
  u.last_message_at > NOW() - INTERVAL 24 HOUR AS in_window`;
/** ? = the row ids */
export const FROM_NOTIFICATIONS = `FROM notification_queue nq LEFT JOIN users u ON u.psid = nq.recipient_psid WHERE nq.id IN (?)`;

/** ? = the row ids */
export const SELECT_NOTIFICATION = `SELECT ${NOTIFICATION_COLUMNS}, ${EARLIER_OPEN} AS earlier_open ${FROM_NOTIFICATIONS}`;

export async function loadNotification(db: Db, id: number): Promise<NotificationRow | null> {
  return (await loadNotifications(db, [id])).get(id) ?? null;
}

/** Several rows in one statement (the jobs running at once, see notification-batches.ts), by id. */
export async function loadNotifications(db: Db, ids: number[]): Promise<Map<number, NotificationRow>> {
  const [rows] = await db.query<RowDataPacket[]>(SELECT_NOTIFICATION, [ids]);
  return new Map(rows.map((r) => [Number(r.id), toNotificationRow(r)]));
}

export function toNotificationRow(r: RowDataPacket): NotificationRow {
  return {
    id: Number(r.id),
    order_id: r.order_id === null ? null : Number(r.order_id),
    parent_id: r.parent_id === null ? null : Number(r.parent_id),
    recipient_type: r.recipient_type as 'customer' | 'admin',
    recipient_psid: (r.recipient_psid as string | null) ?? null,
    notification_type: r.notification_type as string,
    payload: parsePayload(r.payload),
    status: r.status as RowStatus,
    attempts: Number(r.attempts),
    message_id: (r.message_id as string | null) ?? null,
    parts_sent: Number(r.parts_sent),
    sending_for_ms: r.sending_for_ms === null ? null : Number(r.sending_for_ms),
    in_window: r.in_window === null ? null : Number(r.in_window) === 1,
    earlier_open: r.earlier_open === null || r.earlier_open === undefined ? null : Number(r.earlier_open),
  };
}

export async function loadProcessingRows(db: Db, ids: number[]): Promise<ProcessingRow[]> {
  if (ids.length === 0) return [];
  const [rows] = await db.query<RowDataPacket[]>(
    `SELECT id, order_id, queue_type, status, attempts,
            TIMESTAMPDIFF(MICROSECOND, NOW(3), scheduled_at) DIV 1000 AS due_in_ms
     FROM order_processing_queue WHERE id IN (?)`,
    [ids],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    order_id: Number(r.order_id),
    queue_type: r.queue_type as string,
    status: r.status as RowStatus,
    attempts: Number(r.attempts),
    due_in_ms: r.due_in_ms === null ? null : Number(r.due_in_ms),
  }));
}

/** A job starts work on a row: processing, one more attempt. Completed rows are left alone (0 rows). */
export async function markStarted(db: Db, table: OutboxTable, id: number): Promise<boolean> {
  const startedAt = table === 'order_processing_queue' ? ', started_at = NOW()' : '';
  const [res] = await db.query<ResultSetHeader>(
    `UPDATE ${table} SET status = 'processing', attempts = attempts + 1${startedAt}
     WHERE id = ? AND status <> 'completed'`,
    [id],
  );
  return res.affectedRows === 1;
}

/** Done. `note` keeps a reason for a row that was completed without doing anything (e.g. order already moved on). */
export async function markCompleted(db: Db, table: OutboxTable, id: number, note: string | null = null): Promise<void> {
  const doneAt = table === 'order_processing_queue' ? 'completed_at' : 'sent_at';
  await db.query(`UPDATE ${table} SET status = 'completed', last_error = ?, ${doneAt} = NOW() WHERE id = ?`, [
    note === null ? null : clip(note),
    id,
  ]);
}

/** A failure: 'pending' when another try follows, 'failed' when this was the last one. */
export async function markError(db: Db, table: OutboxTable, id: number, status: 'pending' | 'failed', error: string): Promise<void> {
  await db.query(`UPDATE ${table} SET status = ?, last_error = ? WHERE id = ? AND status <> 'completed'`, [
    status,
    clip(error),
    id,
  ]);
}

/** BullMQ gave up on a job without its processor marking the row (e.g. it stalled too often). */
export async function markFailedIfOpen(db: Db, table: OutboxTable, id: number, error: string): Promise<void> {
  await db.query(`UPDATE ${table} SET status = 'failed', last_error = ? WHERE id = ? AND status IN ('pending', 'processing')`, [
    clip(error),
    id,
  ]);
}

export async function markPublished(db: Db, table: OutboxTable, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await db.query(`UPDATE ${table} SET published_at = NOW() WHERE id IN (?)`, [ids]);
}

// --- sending a notification part at most once -----------------------------------------------------

/**
 * Own the send of part `part`: succeeds for exactly one attempt while no send of this row is in flight.
 * `start` also counts the attempt and marks the row processing (one write instead of two per job).
 */
export async function claimPart(db: Db, id: number, part: number, start: boolean): Promise<boolean> {
  const [res] = await db.query<ResultSetHeader>(claimPartSql(start), [id, part]);
  return res.affectedRows === 1;
}

/** claimPart's statement; ? = the row's id, the part */
export function claimPartSql(start: boolean): string {
  const starting = start ? ", status = 'processing', attempts = attempts + 1" : '';
  return `UPDATE notification_queue SET sending_started_at = NOW(3)${starting}
     WHERE id = ? AND parts_sent = ? AND sending_started_at IS NULL AND message_id IS NULL`;
}

/**
 * Part `part` lost its worker while Graph was answering: it may well have been delivered, so it is never
 * sent again. A part before the last is skipped (the rest of the message still goes out); the reason stays
 * in last_error.
 */
export async function skipUnknownPart(db: Db, id: number, part: number, reason: string): Promise<boolean> {
  const [res] = await db.query<ResultSetHeader>(
    `UPDATE notification_queue SET parts_sent = parts_sent + 1, sending_started_at = NULL, last_error = ?
     WHERE id = ? AND parts_sent = ? AND sending_started_at IS NOT NULL`,
    [clip(reason), id, part],
  );
  return res.affectedRows === 1;
}

/** Graph answered with an error: nothing was sent, the part may be tried again. */
export async function releasePart(db: Db, id: number): Promise<void> {
  await db.query('UPDATE notification_queue SET sending_started_at = NULL WHERE id = ?', [id]);
}

/**
 * The last part timed out after it was sent, or lost its worker while Graph was answering: we cannot know
 * whether the customer got it, and sending again could double it. Status 'unknown' with that reason (the
 * job fails, visible on the dashboard); the in-flight mark is cleared so that an operator's retry from the
 * dashboard does send it again (their decision).
 */
export async function markDeliveryUnknown(db: Db, id: number, reason: string): Promise<void> {
  await db.query(
    `UPDATE notification_queue SET status = 'unknown', last_error = ?, sending_started_at = NULL WHERE id = ?`,
    [clip(reason), id],
  );
}

/**
 * ? = the row ids: the oldest earlier row each waits for (see SAME_THREAD) still waiting or being sent, NULL
 * if none (EARLIER_OPEN). MIN, not ORDER BY id LIMIT 1: with the LIMIT, MariaDB walked the whole table's
 * primary key in id order for each row (a cost that grows with every message ever sent).
 */
const EARLIER_OPEN_OF = `SELECT nq.id, ${EARLIER_OPEN} AS earlier_open FROM notification_queue nq WHERE nq.id IN (?)`;

/** An earlier notification this row waits for (same recipient, see SAME_THREAD) that is not settled yet, or null. */
export async function earlierOpenFor(db: Db, id: number): Promise<number | null> {
  return (await earlierOpenOf(db, [id])).get(id) ?? null;
}

/** earlierOpenFor of several rows in one statement: the rows that wait, by id (a row waiting for none is left out). */
export async function earlierOpenOf(db: Db, ids: number[]): Promise<Map<number, number>> {
  const [rows] = await db.query<RowDataPacket[]>(EARLIER_OPEN_OF, [ids]);
  return new Map(rows.filter((r) => r.earlier_open !== null).map((r) => [Number(r.id), Number(r.earlier_open)]));
}

/** Rows whose delivery is unknown (for /metrics). */
export async function countDeliveryUnknown(db: Db): Promise<number> {
  const [rows] = await db.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM notification_queue WHERE status = 'unknown'`);
  return Number(rows[0]?.n ?? 0);
}

// --- admin broadcast fan-out -------------------------------------------------------------------------

/** One child row per admin PSID (unique (parent_id, recipient_psid): running twice adds none). */
export async function fanOut(db: Db, parent: NotificationRow, psids: string[]): Promise<number[]> {
  if (psids.length > 0) {
    await db.query(
      `INSERT IGNORE INTO notification_queue (order_id, parent_id, recipient_type, recipient_psid, notification_type, payload)
       VALUES ?`,
      [psids.map((p) => [parent.order_id, parent.id, 'admin', p, parent.notification_type, JSON.stringify(parent.payload)])],
    );
  }
  const [rows] = await db.query<RowDataPacket[]>(
    `SELECT id FROM notification_queue WHERE parent_id = ? AND status IN ('pending', 'processing') ORDER BY id`,
    [parent.id],
  );
  return rows.map((r) => Number(r.id));
}

/** Whether the recipient wrote to the Page within the last 24 hours (Messenger's standard window). */
export async function inMessagingWindow(db: Db, psid: string): Promise<boolean> {
  return (await psidsInMessagingWindow(db, [psid])).has(psid);
}

/** A Private Reply's recipient: the PSID Graph answered with (the live sale finds the buyer's claims by it). */
export async function recordRecipient(db: Db, id: number, psid: string): Promise<void> {
  await db.query('UPDATE notification_queue SET recipient_psid = ? WHERE id = ? AND recipient_psid IS NULL', [psid.slice(0, 64), id]);
}

// --- rows that stand for one event (migration 070) ---------------------------------------------------

export interface DedupedAdminRow {
  psid: string;
  type: string;
  payload: object;
  /** names the event: a second write of the same key adds no row */
  dedupeKey: string;
}

/**
 * Admin rows written once per dedupe key (INSERT IGNORE on uq_nq_dedupe): a job run again writes nothing
 * new. Returns the ids of those rows still to send (a row already sent is not published again).
 */
export async function insertDedupedAdminRows(db: Db, rows: DedupedAdminRow[]): Promise<number[]> {
  if (rows.length === 0) return [];
  await db.query(
    `INSERT IGNORE INTO notification_queue (recipient_type, recipient_psid, notification_type, payload, dedupe_key) VALUES ?`,
    [rows.map((r) => ['admin', r.psid, r.type, JSON.stringify(r.payload), r.dedupeKey])],
  );
  const [ids] = await db.query<RowDataPacket[]>(
    `SELECT id FROM notification_queue WHERE dedupe_key IN (?) AND status IN ('pending', 'processing') ORDER BY id`,
    [rows.map((r) => r.dedupeKey)],
  );
  return ids.map((r) => Number(r.id));
}

/** Of these PSIDs, those who wrote to the Page within the last 24 hours (one query). */
export async function psidsInMessagingWindow(db: Db, psids: string[]): Promise<Set<string>> {
  if (psids.length === 0) return new Set();
  const [rows] = await db.query<RowDataPacket[]>(
    `SELECT psid FROM users WHERE psid IN (?) AND last_message_at > NOW() - INTERVAL 24 HOUR`,
    [psids],
  );
  return new Set(rows.map((r) => r.psid as string));
}

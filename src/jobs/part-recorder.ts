import type { Db } from '../db/pool.js';
import { NOTIFICATION_BATCHES_IN_FLIGHT } from './notification-batches.js';
import { createTickBatcher } from './tick-batcher.js';

/**
 * Records Graph's message ids for sent parts (parts_sent + 1, the id appended to message_ids; after the
 * last part the row is completed with its message_id), for every job that finished a send at about the
 * same time, in ONE UPDATE: at concurrency 50 the per-row
 * write was one of four MySQL round trips per notification. Each caller still waits for its own row's
 * write before its job completes, so a message id is as durable as before when the job ends; a failed
 * write fails every caller of that batch (each job then goes through its usual error path). One write is
 * out at a time; the parts recorded meanwhile go together in the next (NOTIFICATION_BATCHES_IN_FLIGHT).
 *
 * The guard is the same per row: only a row still at `parts_sent = part` moves on (a repeat is a no-op).
 * Per row, the statement looks its message id up in one CASE on the id (a second only for a last part) and
 * tells last parts and guards by IN lists, which MariaDB searches as sorted constants, instead of seven CASEs
 * scanned in turn for every row. Measured, the gain was within the noise: the row's own change (its index
 * entries, see migration 077) costs MariaDB far more than the expressions.
 */
export interface PartRecorder {
  record(id: number, part: number, messageId: string, last: boolean): Promise<void>;
}

interface Part {
  id: number;
  part: number;
  messageId: string;
  last: boolean;
}

/** rows per UPDATE (a few hundred bound values) */
const MAX_ROWS = 100;

export function createPartRecorder(db: Db): PartRecorder {
  // a row appears once per batch: the same row's next part only comes after this one's write
  const write = createTickBatcher<Part, void>(async (rows) => {
    const messageIdOf = { sql: `CASE id ${rows.map(() => 'WHEN ? THEN ?').join(' ')} END`, values: rows.flatMap((r) => [r.id, r.messageId]) };
    const lastIds = rows.filter((r) => r.last).map((r) => r.id);
    const last = lastIds.length ? lastIds : [0]; // no row has id 0
    await db.query(
      `UPDATE notification_queue
       SET parts_sent = parts_sent + 1, sending_started_at = NULL,
           message_ids = CONCAT_WS(' ', message_ids, ${messageIdOf.sql}),
           status = IF(id IN (?), 'completed', status),
           message_id = IF(id IN (?), ${messageIdOf.sql}, message_id),
           sent_at = IF(id IN (?), NOW(), sent_at)
       WHERE id IN (?) AND (id, parts_sent) IN (?)`,
      [...messageIdOf.values, last, last, ...messageIdOf.values, last, rows.map((r) => r.id), rows.map((r) => [r.id, r.part])],
    );
    return rows.map(() => undefined);
  }, MAX_ROWS, NOTIFICATION_BATCHES_IN_FLIGHT);
  return { record: (id, part, messageId, last) => write({ id, part, messageId, last }) };
}

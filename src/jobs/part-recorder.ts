import type { Db } from '../db/pool.js';
import { createTickBatcher } from './tick-batcher.js';

/**
 * Records Graph's message ids for sent parts (parts_sent + 1, the id appended to message_ids; after the
 * last part the row is completed with its message_id), for every job that finished a send at about the
 * same time, in ONE UPDATE: at concurrency 50 the per-row
 * write was one of four MySQL round trips per notification. Each caller still waits for its own row's
 * write before its job completes, so a message id is as durable as before when the job ends; a failed
 * write fails every caller of that batch (each job then goes through its usual error path).
 *
 * The guard is the same per row: only a row still at `parts_sent = part` moves on (a repeat is a no-op).
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
    const caseOf = (pick: (r: Part) => unknown) => ({ sql: `CASE id ${rows.map(() => 'WHEN ? THEN ?').join(' ')} END`, values: rows.flatMap((r) => [r.id, pick(r)]) });
    const mid = caseOf((r) => r.messageId);
    const last = caseOf((r) => (r.last ? 1 : 0));
    const part = caseOf((r) => r.part);
    await db.query(
      `UPDATE notification_queue
       SET parts_sent = parts_sent + 1, sending_started_at = NULL,
           message_ids = IF(message_ids IS NULL, ${mid.sql}, CONCAT(message_ids, ' ', ${mid.sql})),
           status = IF(${last.sql} = 1, 'completed', status),
           message_id = IF(${last.sql} = 1, ${mid.sql}, message_id),
           sent_at = IF(${last.sql} = 1, NOW(), sent_at)
       WHERE id IN (?) AND parts_sent = ${part.sql}`,
      [...mid.values, ...mid.values, ...last.values, ...last.values, ...mid.values, ...last.values, rows.map((r) => r.id), ...part.values],
    );
    return rows.map(() => undefined);
  }, MAX_ROWS);
  return { record: (id, part, messageId, last) => write({ id, part, messageId, last }) };
}

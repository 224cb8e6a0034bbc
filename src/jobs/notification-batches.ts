import { randomBytes } from 'node:crypto';
import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { Db } from '../db/pool.js';
import { serverTraits } from '../db/server-traits.js';
import { SqlBatch } from '../db/sql-batch.js';
import { throughOutage } from './job-helpers.js';
import { EARLIER_OPEN, earlierOpenOf, FROM_NOTIFICATIONS, loadNotifications, NOTIFICATION_COLUMNS, toNotificationRow, type NotificationRow } from './outbox-store.js';
import { createTickBatcher } from './tick-batcher.js';

/**
 * The notification jobs running at once load and claim their rows together: one conditional UPDATE and one
 * SELECT per turn of the event loop, instead of a load and a claim (with its commit) per job. At
 * concurrency 50 those per-job statements held the worker at a fifth of what Graph alone allows
 * (bench:jobs).
 *
 * The UPDATE claims each row's next part with the guard of claimPart (nobody sends it, no message id)
 * where the row can go out now: it has a PSID, is not completed, and no earlier row it waits for
 * (SAME_THREAD) is open. It writes the batch's random token (migration 075), and the SELECT that loads the
 * rows tells by it which ones this batch took: such a row comes back `claimed`, its attempt owns that part
 * (attempts counted, status processing) and must release it if it ends without sending. Without MariaDB's
 * UPDATE with a subquery on its own table (MySQL refuses it) the rows are only loaded; each part is then
 * claimed by claimPart, as before. Given a pool that runs several statements per query (batchDb), the
 * UPDATE and the SELECT go in one round trip. When the batch fails after the UPDATE may have committed
 * (a connection lost), its claims are released by token: nothing was sent for them.
 */
export interface NotificationBatches {
  loadAndClaim(id: number): Promise<NotificationRow | null>;
}

/** rows per statement */
const MAX_ROWS = 100;
/**
 * One batch out at a time: the jobs that reach their load while one is out go together in the next. Jobs
 * start one by one (each when BullMQ hands its slot a job), so a batch per turn of the event loop held
 * 2-3 rows at concurrency 10. Measured (bench:jobs, BENCH_CPU=1, interleaved with unbounded batches; see
 * bench/README.md): MariaDB round trips per job 0.85 -> 0.67 at concurrency 10 and 0.25 -> 0.15 at 50; at 50
 * MariaDB's CPU per job ~307 -> ~244 us, at 10 no clear change. The same bound holds for the message-id
 * writes (part-recorder.ts).
 */
export const NOTIFICATION_BATCHES_IN_FLIGHT = 1;

/** ? = the batch's token, the row ids */
const CLAIM_NEXT_PARTS = `
  UPDATE notification_queue nq SET sending_started_at = NOW(3), claim_token = ?, status = 'processing', attempts = attempts + 1
  WHERE nq.id IN (?) AND nq.recipient_psid IS NOT NULL AND nq.status <> 'completed' AND nq.message_id IS NULL
    AND nq.sending_started_at IS NULL AND ${EARLIER_OPEN} IS NULL`;

/** this batch's claim is on the row; ? = the batch's token */
const CLAIMED_NOW = '(sending_started_at IS NOT NULL AND claim_token <=> ?)';

/**
 * ? = the batch's token, then the row ids. earlier_open is left out: a row this batch claimed has no earlier
 * open row (the claim's condition), and the lookup, though not run for such rows, doubled what MariaDB spent
 * on the statement. The rows the batch did not claim are asked afterwards (earlierOpenOf), when there are any.
 */
const SELECT_CLAIMED = `SELECT ${CLAIMED_NOW} AS claimed_now, ${NOTIFICATION_COLUMNS}, NULL AS earlier_open ${FROM_NOTIFICATIONS}`;

/** ? = the row ids, the batch's token */
const RELEASE_BATCH = `
  UPDATE notification_queue SET sending_started_at = NULL
  WHERE id IN (?) AND claim_token = ? AND sending_started_at IS NOT NULL`;

/** how long a batch's release is retried through an outage (the job holds its lock meanwhile) */
const RELEASE_OUTAGE_MS = 60_000;

async function claimAndLoad(db: Db, batchDb: Db | undefined, token: string, ids: number[]): Promise<RowDataPacket[]> {
  if (batchDb) {
    const b = new SqlBatch(batchDb);
    b.add(CLAIM_NEXT_PARTS, [token, ids]);
    const at = b.select(SELECT_CLAIMED, [token, ids]);
    return (await b.run())[at] ?? [];
  }
  const [res] = await db.query<ResultSetHeader>(CLAIM_NEXT_PARTS, [token, ids]);
  const [rows] = await db.query<RowDataPacket[]>(SELECT_CLAIMED, [res.affectedRows ? token : null, ids]);
  return rows;
}

export function createNotificationBatches(db: Db, batchDb?: Db): NotificationBatches {
  let traits: Promise<boolean> | null = null;
  // MariaDB (what compoundStatements tells apart) runs CLAIM_NEXT_PARTS; MySQL refuses its subquery
  const canClaim = () => (traits ??= serverTraits(db).then((t) => t.compoundStatements)).catch(() => false);

  const loadAndClaim = createTickBatcher<number, NotificationRow | null>(async (ids) => {
    const unique = [...new Set(ids)];
    if (!(await canClaim())) {
      const rows = await loadNotifications(db, unique);
      return ids.map((id) => rows.get(id) ?? null);
    }
    const token = (randomBytes(8).readBigUInt64BE() >> 1n).toString(); // fits BIGINT UNSIGNED
    let rows: RowDataPacket[];
    try {
      rows = await claimAndLoad(db, batchDb, token, unique);
      // the rows left unclaimed that may go out: which earlier row each waits for (the processor's wait)
      const open = rows.filter((r) => Number(r.claimed_now) !== 1 && r.recipient_psid !== null && r.message_id === null && r.status !== 'completed');
      if (open.length) {
        const earlier = await earlierOpenOf(db, open.map((r) => Number(r.id)));
        for (const r of open) r.earlier_open = earlier.get(Number(r.id)) ?? null;
      }
    } catch (err) {
      await throughOutage(() => db.query(RELEASE_BATCH, [unique, token]), RELEASE_OUTAGE_MS);
      throw err;
    }
    const byId = new Map(rows.map((r) => [Number(r.id), r]));
    // a row asked for twice in one batch (a stalled job's re-run beside it): only the first caller owns the claim
    const owner = new Map<number, number>();
    ids.forEach((id, i) => owner.has(id) || owner.set(id, i));
    return ids.map((id, i) => {
      const r = byId.get(id);
      return r ? { ...toNotificationRow(r), claimed: Number(r.claimed_now) === 1 && owner.get(id) === i } : null;
    });
  }, MAX_ROWS, NOTIFICATION_BATCHES_IN_FLIGHT);

  return { loadAndClaim };
}

import type { Job } from 'bullmq';
import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { Logger } from 'pino';
import type { Db } from '../db/pool.js';
import type { OrderService } from '../orders/index.js';
import { maintenanceJobSchema, type MaintenanceTask } from './queues.js';
import { parseJobData } from './job-helpers.js';

/**
 * The maintenance queue's scheduled tasks (BullMQ job schedulers, see schedulers in index.ts):
 * - outbox-relay: publish outbox rows still unpublished (Redis was down, or the process died after commit);
 * - expiry-sweep: expire pending orders whose reservations are past expires_at that no delayed job expired
 *   (e.g. Redis lost its data) — through the engine, so stock is released exactly once; and settle the
 *   expiry rows of orders confirmed or cancelled meanwhile;
 * - expire-stale-reservations: the seed's first cleanup job, the same sweep over every such order;
 * - purge-old-rows: the seed's second cleanup job, delete completed outbox rows older than RETENTION_DAYS and
 *   order_metrics older than METRICS_RETENTION_DAYS (failed rows stay for the operators);
 * - daily-summary: the admins' "🧾 Today" at DAILY_SUMMARY_AT (daily-summary.ts), when set.
 */
export interface MaintenanceDeps {
  db: Db;
  orders: OrderService;
  logger: Logger;
  relayOnce(): Promise<{ notifications: number; processing: number }>;
  /** drop an order's delayed expiry job (BullMQ Job#remove); false when there was none */
  removeExpiryJob(orderId: number): Promise<boolean>;
  retentionDays: number;
  metricsRetentionDays: number;
  /** the daily summary run scheduled for `slot` (ms; the same on each retry of that run) */
  dailySummary(slot: number): Promise<unknown>;
}

/** ? = how many orders at most */
const DUE_PENDING_ORDERS = `
  SELECT o.id FROM orders o
  WHERE o.order_status = 'pending'
    AND (o.expires_at <= NOW()
         OR EXISTS (SELECT 1 FROM inventory_reservations r
                    WHERE r.order_id = o.id AND r.status = 'reserved' AND r.expires_at <= NOW()))
  ORDER BY o.id LIMIT ?`;

/** Expiry rows of orders that left 'pending' (confirmed, cancelled, expired by the sweeper): ? = batch size */
const MOOT_EXPIRY_ROWS = `
  SELECT q.id, q.order_id, o.order_status FROM order_processing_queue q JOIN orders o ON o.id = q.order_id
  WHERE q.queue_type = 'reservation_expiry' AND q.status = 'pending' AND o.order_status <> 'pending'
  ORDER BY q.id LIMIT ?`;
const SETTLE_EXPIRY_ROW = `
  UPDATE order_processing_queue SET status = 'completed', completed_at = NOW(), last_error = ?
  WHERE id = ? AND status = 'pending'`;

/** Reserved stock held for orders that are no longer pending: the engine should never leave any. */
const ORPHAN_RESERVATIONS = `
  SELECT COUNT(*) AS n FROM inventory_reservations r JOIN orders o ON o.id = r.order_id
  WHERE r.status = 'reserved' AND o.order_status <> 'pending'`;

const PURGE_BATCH = 1000;
/**
 * ? = days, ? = batch size (or what `args` gives); `days` fixed for rows whose use is over within hours.
 * notification_queue ranges over idx_nq_status_created (status, created_at): a row's created_at is never
 * after its updated_at, so the created_at bound only narrows the range (migration 077).
 */
const PURGES: Array<{ what: string; sql: string; args?: (days: number) => unknown[]; metrics?: boolean; days?: number }> = [
  {
    what: 'notification_queue',
    sql: `DELETE FROM notification_queue
          WHERE status = 'completed' AND created_at < NOW() - INTERVAL ? DAY AND updated_at < NOW() - INTERVAL ? DAY LIMIT ?`,
    args: (days) => [days, days, PURGE_BATCH],
  },
  {
    what: 'order_processing_queue',
    sql: `DELETE FROM order_processing_queue WHERE status = 'completed' AND updated_at < NOW() - INTERVAL ? DAY LIMIT ?`,
  },
  { what: 'order_metrics', sql: `DELETE FROM order_metrics WHERE created_at < NOW() - INTERVAL ? DAY LIMIT ?`, metrics: true },
  // the chat reply ledger serves re-runs of a turn, all within TURN_OUTAGE_DEADLINE_MS of it (minutes)
  { what: 'chat_replies', sql: `DELETE FROM chat_replies WHERE started_at < NOW() - INTERVAL ? DAY LIMIT ?`, days: 1 },
];

export function createMaintenance(deps: MaintenanceDeps) {
  const { db, logger } = deps;

  /** Expire up to `limit` due pending orders through the engine; returns how many it expired. */
  async function sweepExpired(limit: number, actor: string): Promise<{ expired: number; skipped: number }> {
    const [rows] = await db.query<RowDataPacket[]>(DUE_PENDING_ORDERS, [limit]);
    let expired = 0;
    let skipped = 0;
    for (const r of rows) {
      const result = await deps.orders.expireOrder(Number(r.id), actor);
      if (result.success) expired += 1;
      else skipped += 1; // confirmed or cancelled meanwhile: the engine's transaction decided
    }
    if (expired) logger.info({ expired, skipped, actor }, 'expired pending orders past their reservation time');
    return { expired, skipped };
  }

  /**
   * An order confirmed or cancelled before its expiry time leaves a pending expiry row and a delayed job
   * that would only find nothing to do hours later: settle the row now (the queue status query shows the
   * truth) and drop the job.
   */
  async function settleMootExpiries(limit: number): Promise<number> {
    const [rows] = await db.query<RowDataPacket[]>(MOOT_EXPIRY_ROWS, [limit]);
    for (const r of rows) {
      await db.query(SETTLE_EXPIRY_ROW, [`nothing to expire: order is ${r.order_status as string}`, r.id]);
      await deps.removeExpiryJob(Number(r.order_id)).catch(() => false);
    }
    return rows.length;
  }

  async function expireStaleReservations(): Promise<{ expired: number; orphanReservations: number }> {
    let expired = 0;
    for (;;) {
      const batch = await sweepExpired(200, 'worker:cleanup');
      expired += batch.expired;
      if (batch.expired + batch.skipped < 200 || batch.expired === 0) break;
    }
    const [[orphans]] = (await db.query<RowDataPacket[]>(ORPHAN_RESERVATIONS)) as unknown as [RowDataPacket[]];
    const orphanReservations = Number(orphans?.n ?? 0);
    if (orphanReservations) logger.error({ orphanReservations }, 'reservations still held for orders that are no longer open');
    return { expired, orphanReservations };
  }

  async function purgeOldRows(): Promise<Record<string, number>> {
    const deleted: Record<string, number> = {};
    for (const p of PURGES) {
      const days = p.days ?? (p.metrics ? deps.metricsRetentionDays : deps.retentionDays);
      const args = p.args?.(days) ?? [days, PURGE_BATCH];
      let total = 0;
      for (;;) {
        const [res] = await db.query<ResultSetHeader>(p.sql, args);
        total += res.affectedRows;
        if (res.affectedRows < PURGE_BATCH) break;
      }
      deleted[p.what] = total;
    }
    logger.info({ deleted }, 'purged old completed rows and metrics');
    return deleted;
  }

  const tasks: Record<MaintenanceTask, (job: Job) => Promise<unknown>> = {
    'outbox-relay': () => deps.relayOnce(),
    'expiry-sweep': async () => ({ ...(await sweepExpired(200, 'worker:expiry-sweep')), settled: await settleMootExpiries(500) }),
    'expire-stale-reservations': expireStaleReservations,
    'purge-old-rows': purgeOldRows,
    // a scheduler's run carries its due time (prevMillis); a job added by hand counts from when it was added
    'daily-summary': (job) => deps.dailySummary(job.opts.prevMillis ?? job.timestamp),
  };

  return {
    sweepExpired,
    settleMootExpiries,
    expireStaleReservations,
    purgeOldRows,
    processor: async (job: Job): Promise<unknown> => tasks[parseJobData(maintenanceJobSchema, job).task](job),
  };
}

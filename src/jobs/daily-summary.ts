import type { Logger } from 'pino';
import type { Db } from '../db/pool.js';
import type { AdminService } from '../admins/admin-service.js';
import type { OrderService } from '../orders/index.js';
import { insertDedupedAdminRows, psidsInMessagingWindow } from './outbox-store.js';

/**
 * The admins' daily "🧾 Today" push (DAILY_SUMMARY_AT, a job scheduler on the maintenance queue). The day's
 * summary is read once and written as one notification_queue row per admin, sent by the notifications
 * worker like every other alert (each row at most once, in order per admin). Messenger lets a Page message
 * a person freely only within 24 hours of their last message, and no message tag fits a summary: admins
 * who have not written to the Page in that window are skipped (counted and logged, never by PSID). Their
 * rows carry `daily-summary:<scheduled time>:<psid>` as dedupe key, so a retried or re-run job sends nothing
 * twice.
 */
export const DAILY_SUMMARY_TYPE = 'daily_summary';

export interface DailySummaryDeps {
  db: Db;
  orders: Pick<OrderService, 'daySummary'>;
  admins: Pick<AdminService, 'listPsids'>;
  /** add the rows as notification jobs (throws when Redis refuses: the job is retried, rows are kept) */
  /** admin rows, sent after the customers' messages waiting with them (publisher.ts ADMIN_ROW_PRIORITY) */
  publishAdminRows(ids: number[]): Promise<void>;
  logger: Logger;
  /** admins skipped because they are outside the 24-hour window (metrics) */
  onSkipped(count: number): void;
}

export interface DailySummaryResult {
  date: string;
  /** admins the summary was queued for */
  queued: number;
  /** admins outside Messenger's 24-hour window */
  skippedOutsideWindow: number;
}

/** "21:00" → the cron pattern "0 21 * * *" (minute hour, every day); the time zone goes beside it. */
export function dailySummaryCron(at: string): string {
  const [hour, minute] = at.split(':').map(Number);
  return `${minute} ${hour} * * *`;
}

export function createDailySummary(deps: DailySummaryDeps) {
  const { db, logger } = deps;

  /** `slot`: the scheduled time of this run (ms), the same on every retry of it. */
  return async function sendDailySummary(slot: number): Promise<DailySummaryResult> {
    const psids = await deps.admins.listPsids();
    const [summary, inWindow] = await Promise.all([deps.orders.daySummary(), psidsInMessagingWindow(db, psids)]);
    const to = psids.filter((p) => inWindow.has(p));
    const skipped = psids.length - to.length;
    const ids = await insertDedupedAdminRows(
      db,
      to.map((psid) => ({ psid, type: DAILY_SUMMARY_TYPE, payload: summary, dedupeKey: `daily-summary:${slot}:${psid}` })),
    );
    await deps.publishAdminRows(ids);
    if (skipped) deps.onSkipped(skipped);
    const result = { date: summary.date, queued: to.length, skippedOutsideWindow: skipped };
    logger[skipped ? 'warn' : 'info'](
      result,
      skipped
        ? "daily summary queued; admins who have not written to the Page in 24 hours were skipped (Messenger's messaging window)"
        : 'daily summary queued for every admin',
    );
    return result;
  };
}

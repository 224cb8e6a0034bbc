import type { RowDataPacket } from 'mysql2';
import type { Db } from '../db/pool.js';
import * as q from './sql/report-sql.js';
import type { ReportSummary } from './types.js';

/** The seed's dashboard in one object: its three queries run unchanged, numbers converted. */
export async function reportSummary(db: Db): Promise<ReportSummary> {
  const [[today], [alerts], [queue]] = await Promise.all([
    db.query<RowDataPacket[]>(q.TODAYS_PERFORMANCE),
    db.query<RowDataPacket[]>(q.INVENTORY_ALERTS),
    db.query<RowDataPacket[]>(q.PROCESSING_QUEUE_STATUS),
  ]);
  const t: RowDataPacket = today[0] ?? ({} as RowDataPacket);
  return {
    today: {
      total_orders: Number(t.total_orders ?? 0),
      delivered: Number(t.delivered ?? 0),
      avg_processing_ms: t.avg_processing_ms === null || t.avg_processing_ms === undefined ? null : Number(t.avg_processing_ms),
      total_errors: Number(t.total_errors ?? 0),
    },
    inventory_alerts: alerts.map((a) => ({ name: a.name, stock_quantity: Number(a.stock_quantity), low_stock_threshold: Number(a.low_stock_threshold) })),
    processing_queue: queue.map((r) => ({ queue_type: r.queue_type, status: r.status, count: Number(r.count), avg_wait_minutes: Number(r.avg_wait_minutes) })),
  };
}

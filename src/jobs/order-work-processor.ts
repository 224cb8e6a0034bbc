import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { Db } from '../db/pool.js';
import type { ActionResult } from '../orders/index.js';
import { orderWorkJobSchema } from './queues.js';
import { isFinalAttempt, parseJobData } from './job-helpers.js';
import * as store from './outbox-store.js';

/**
 * Processor for one order_processing_queue row: calls one engine function on the row's order.
 * Used by the fulfillment queue (markProcessing) and the reservation-expiry queue (expireOrder).
 * An order that has already moved on (INVALID_TRANSITION: confirmed before it expired, cancelled before
 * fulfilment) completes the row with a note; the engine's own transaction decides who wins a race.
 */
export interface OrderWorkDeps {
  db: Db;
  logger: Logger;
  /** what the row asks for, e.g. (id) => orders.markProcessing(id, 'worker:fulfillment') */
  run(orderId: number): Promise<ActionResult>;
  /** reservation expiry: a job that fires before the row's scheduled_at waits until then */
  waitUntilDue?: boolean;
}

export type OrderWorkResult = { status: string } | { skipped: string };

export function createOrderWorkProcessor(deps: OrderWorkDeps) {
  const { db } = deps;
  return async function processOrderWork(job: Job, token?: string): Promise<OrderWorkResult> {
    const { rowId, orderId } = parseJobData(orderWorkJobSchema, job);
    const [row] = await store.loadProcessingRows(db, [rowId]);
    if (!row) throw new UnrecoverableError(`order_processing_queue row ${rowId} does not exist`);
    if (row.order_id !== orderId) throw new UnrecoverableError(`row ${rowId} belongs to order ${row.order_id}, not ${orderId}`);
    if (row.status === 'completed') return { skipped: 'row already completed' };
    if (deps.waitUntilDue && row.due_in_ms !== null && row.due_in_ms > 1000 && token) {
      await job.moveToDelayed(Date.now() + row.due_in_ms, token);
      throw new DelayedError();
    }

    await store.markStarted(db, 'order_processing_queue', rowId);
    let result: ActionResult;
    try {
      result = await deps.run(orderId);
    } catch (err) {
      const status = isFinalAttempt(job) ? 'failed' : 'pending';
      await store.markError(db, 'order_processing_queue', rowId, status, (err as Error).message).catch(() => undefined);
      throw err;
    }
    if (result.success) {
      await store.markCompleted(db, 'order_processing_queue', rowId);
      return { status: result.order_status };
    }
    if (result.code === 'INVALID_TRANSITION') {
      const note = `nothing to do: order is ${result.current_status ?? 'no longer eligible'}` +
        (result.changed_by ? ` (by ${result.changed_by})` : '');
      await store.markCompleted(db, 'order_processing_queue', rowId, note);
      return { skipped: note };
    }
    await store.markError(db, 'order_processing_queue', rowId, 'failed', `${result.code}: ${result.error}`);
    throw new UnrecoverableError(`${result.code}: ${result.error}`);
  };
}

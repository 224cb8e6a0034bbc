import type { RowDataPacket } from 'mysql2';
import type { Conn } from '../db/pool.js';
import { errorCodeOf, publishAfterCommit, recordError, type EngineContext } from './engine-context.js';
import { canTransition, STATUS_NOTIFICATION } from './order-states.js';
import { queueCustomer, queueProcessing } from './outbox.js';
import * as q from './sql/transition-sql.js';
import { runTx, setActor } from './tx.js';
import { releaseOrderClaims } from './live/live-waitlist.js';
import type { HoldDue } from './live/live-types.js';
import type { ActionResult, ErrorCode, OrderStatus } from './types.js';

/**
 * Every status change goes through move(): lock the order row, check the transitions table, write the
 * status (the trigger records history from @qs_actor/@qs_reason), apply the inventory procedure, queue
 * the outbox rows — one transaction. A loser of a race sees the winner's status and gets
 * INVALID_TRANSITION with who moved it and when; nothing changes.
 */
export interface MoveSpec {
  operation: 'confirm' | 'cancel' | 'expire' | 'process' | 'ship' | 'deliver';
  to: OrderStatus;
  actor: string;
  reason: string | null;
  /** params that SET_STATUS[to] takes between the status and the id */
  params: unknown[];
  /** the order may also start here and pass through `to`'s predecessor first (ship from confirmed) */
  via?: OrderStatus;
  /** refuse unless the order is in exactly this status (the caller acts on what it saw) */
  expected?: OrderStatus;
  success: string;
}

export type LockedOrder = RowDataPacket & {
  id: number;
  user_id: number;
  order_number: string;
  order_status: OrderStatus;
  payment_method: string;
  payment_status: string;
  total_amount: string;
  promo_code: string | null;
  tracking_number: string | null;
};

type Outcome = { result: ActionResult; notificationIds: number[]; processingIds: number[]; liveHolds?: HoldDue[] };

export async function move(ctx: EngineContext, orderId: number, spec: MoveSpec): Promise<ActionResult> {
  let outcome: Outcome;
  try {
    outcome = await runTx(ctx.db, async (conn) => {
      const order = await lockOrder(conn, orderId);
      if (!order) return refused(notFound(orderId));
      const path = pathFor(order.order_status, spec);
      if (!path) return refused(await invalidTransition(conn, order, spec));
      if (spec.to === 'confirmed') {
        const [[held]] = await conn.query<RowDataPacket[]>(q.HELD_RESERVATIONS, [orderId, orderId]);
        if (Number(held!.held) < Number(held!.line_count)) {
          return refused({ success: false, code: 'RESERVATION_EXPIRED', error: `The stock held for order ${order.order_number} was released; it cannot be confirmed` });
        }
      }
      for (const status of path) {
        const params = status === spec.to ? spec.params : [];
        await setActor(conn, spec.actor, spec.reason); // consumed by the history trigger
        await conn.query(q.SET_STATUS[status as keyof typeof q.SET_STATUS], [status, ...params, orderId]);
      }
      await ctx.fault(`${spec.operation}_after_status`);
      await applyInventory(conn, order, spec);
      // units of live-sale holds checked out into this order go to the sale's waitlist (same rule as an expired hold)
      const live = spec.to === 'cancelled' || spec.to === 'expired' ? await releaseOrderClaims(conn, orderId, spec.to, ctx.config.LIVE_HOLD_MINUTES) : null;
      await ctx.fault(`${spec.operation}_after_inventory`);
      const notificationIds: number[] = [...(live?.notify ?? [])];
      const processingIds: number[] = [];
      const type = STATUS_NOTIFICATION[spec.to];
      const [[recipient]] = await conn.query<RowDataPacket[]>(q.SELECT_RECIPIENT, [order.user_id]);
      if (type && recipient?.psid) {
        notificationIds.push(
          await queueCustomer(conn, orderId, recipient.psid as string, type, {
            order_id: orderId,
            order_number: order.order_number,
            order_status: spec.to,
            total_amount: order.total_amount,
            payment_method: order.payment_method,
            customer_name: recipient.name,
            reason: spec.to === 'cancelled' || spec.to === 'expired' ? spec.reason : null,
            tracking_number: spec.to === 'shipped' ? ((spec.params[0] as string | null) ?? order.tracking_number) : null,
          }),
        );
      }
      if (spec.to === 'confirmed') {
        processingIds.push(await queueProcessing(conn, orderId, 'fulfillment', { order_id: orderId, order_number: order.order_number }));
      }
      const result: ActionResult = { success: true, message: spec.success.replace('{order}', order.order_number), order_status: spec.to };
      return { result, notificationIds, processingIds, liveHolds: live?.held };
    });
  } catch (err) {
    await recordError(ctx, { operation: spec.operation, order_id: orderId, code: errorCodeOf(err), message: (err as Error).message, details: { to: spec.to, actor: spec.actor } });
    ctx.logger.error({ err: (err as Error).message, order_id: orderId, operation: spec.operation }, 'order transition failed; rolled back');
    throw err;
  }
  await publishAfterCommit(ctx, { notificationIds: outcome.notificationIds, processingIds: outcome.processingIds });
  if (outcome.liveHolds?.length && ctx.liveHolds) await ctx.liveHolds.schedule(outcome.liveHolds);
  return outcome.result;
}

export async function lockOrder(conn: Conn, orderId: number): Promise<LockedOrder | null> {
  const [rows] = await conn.query<LockedOrder[]>(q.LOCK_ORDER, [orderId]);
  return rows[0] ?? null;
}

/** The statuses to write, in order, or null when the transitions table forbids it. */
function pathFor(from: OrderStatus, spec: MoveSpec): OrderStatus[] | null {
  if (spec.expected && from !== spec.expected) return null;
  if (canTransition(from, spec.to)) return [spec.to];
  if (spec.via && canTransition(from, spec.via) && canTransition(spec.via, spec.to)) return [spec.via, spec.to];
  return null;
}

async function applyInventory(conn: Conn, order: LockedOrder, spec: MoveSpec): Promise<void> {
  const reason = spec.reason ?? spec.operation;
  if (spec.to === 'confirmed') await conn.query(q.CALL_COMMIT, [order.id]);
  if (spec.to === 'cancelled') await conn.query(q.CALL_RELEASE, [order.id, reason]);
  if (spec.to === 'expired') await conn.query(q.CALL_EXPIRE, [order.id, reason]);
  if ((spec.to === 'cancelled' || spec.to === 'expired') && order.promo_code) await conn.query(q.RETURN_PROMO, [order.promo_code]);
}

export async function invalidTransition(conn: Conn, order: LockedOrder, spec: { operation: string }): Promise<ActionResult> {
  const [[last]] = await conn.query<RowDataPacket[]>(q.LAST_CHANGE, [order.id]);
  const changedBy = (last?.changed_by as string | undefined) ?? undefined;
  const changedAt = last?.created_at ? (last.created_at as Date).toISOString() : undefined;
  const who = changedBy ? ` (by ${changedBy}${changedAt ? ` at ${changedAt}` : ''})` : '';
  return {
    success: false,
    code: 'INVALID_TRANSITION',
    error: `Cannot ${spec.operation} order ${order.order_number}: it is already ${order.order_status}${who}`,
    current_status: order.order_status,
    ...(changedBy ? { changed_by: changedBy } : {}),
    ...(changedAt ? { changed_at: changedAt } : {}),
  };
}

export function notFound(orderId: number): ActionResult {
  return { success: false, code: 'ORDER_NOT_FOUND', error: `Order ${orderId} does not exist` };
}

export function failure(code: ErrorCode, error: string): ActionResult {
  return { success: false, code, error };
}

function refused(result: ActionResult): Outcome {
  return { result, notificationIds: [], processingIds: [] };
}

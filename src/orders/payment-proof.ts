import type { RowDataPacket } from 'mysql2';
import { z } from 'zod';
import type { Conn } from '../db/pool.js';
import { publishAfterCommit, recordError, errorCodeOf, type EngineContext } from './engine-context.js';
import { queueAdmins, queueCustomer, queueProcessing } from './outbox.js';
import * as q from './sql/transition-sql.js';
import { failure, invalidTransition, lockOrder, notFound, type LockedOrder } from './transitions.js';
import { runTx } from './tx.js';
import type { ActionResult, OutboxRows } from './types.js';

const proofUrl = z.url({ protocol: /^https?$/ }).max(2000);

/**
 * A customer's payment screenshot (GCash / bank transfer) in three steps, each one transaction:
 * 1. attachPaymentProof: the attachment URL is noted and a `proof_download` job row is queued (Messenger's
 *    URLs expire within days, so the worker downloads and stores the image, src/media).
 * 2. storePaymentProof: the stored copy becomes the order's proof → payment_status proof_submitted and ONE
 *    admin broadcast 'payment_proof' carrying the media id (admins see the stored image, not the URL).
 * 3. paymentProofFailed: refused (not an image, too large, host not allowed: the customer is told why) or
 *    the download failed for good (the admins are told); the order keeps no proof and says why.
 * A new proof replaces the old one until the payment is marked paid.
 */
type Step = { result: ActionResult; rows: OutboxRows };
const none = (result: ActionResult): Step => ({ result, rows: { notificationIds: [], processingIds: [] } });

async function eligible(conn: Conn, orderId: number): Promise<{ order: LockedOrder } | { refused: ActionResult }> {
  const order = await lockOrder(conn, orderId);
  if (!order) return { refused: notFound(orderId) };
  if (order.payment_method === 'cod') {
    return { refused: failure('PAYMENT_NOT_REQUIRED', `Order ${order.order_number} is cash on delivery: pay the courier on delivery`) };
  }
  if (order.payment_status === 'paid' || order.payment_status === 'refunded') {
    return { refused: failure('INVALID_TRANSITION', `Order ${order.order_number} is already ${order.payment_status}`) };
  }
  if (order.order_status === 'cancelled' || order.order_status === 'expired') {
    return { refused: await invalidTransition(conn, order, { operation: 'attach payment proof to' }) };
  }
  return { order };
}

async function step(ctx: EngineContext, orderId: number, operation: string, body: (conn: Conn, order: LockedOrder) => Promise<Step>): Promise<ActionResult> {
  if (!Number.isSafeInteger(orderId) || orderId <= 0) return notFound(orderId);
  try {
    const outcome = await runTx(ctx.db, async (conn) => {
      const e = await eligible(conn, orderId);
      return 'refused' in e ? none(e.refused) : body(conn, e.order);
    });
    await publishAfterCommit(ctx, outcome.rows);
    return outcome.result;
  } catch (err) {
    await recordError(ctx, { operation, order_id: orderId, code: errorCodeOf(err), message: (err as Error).message });
    throw err;
  }
}

export async function attachPaymentProof(ctx: EngineContext, orderId: number, url: string, actor = 'customer'): Promise<ActionResult> {
  if (!proofUrl.safeParse(url).success) return failure('INVALID_FORMAT', 'The payment proof must be an http(s) link to the image');
  return step(ctx, orderId, 'payment_proof', async (conn, order) => {
    await conn.query(q.NOTE_PAYMENT_PROOF_URL, [url, orderId]);
    const id = await queueProcessing(conn, orderId, 'proof_download', { url, actor });
    const result: ActionResult = { success: true, message: `Payment proof for order ${order.order_number} is being saved`, order_status: order.order_status };
    return { result, rows: { notificationIds: [], processingIds: [id] } };
  });
}

export async function storePaymentProof(ctx: EngineContext, orderId: number, mediaId: number, actor = 'customer'): Promise<ActionResult> {
  return step(ctx, orderId, 'payment_proof', async (conn, order) => {
    await conn.query(q.SET_PAYMENT_PROOF, [mediaId, orderId]);
    const id = await queueAdmins(conn, orderId, 'payment_proof', {
      order_id: orderId,
      order_number: order.order_number,
      total_amount: order.total_amount,
      payment_method: order.payment_method,
      order_status: order.order_status,
      media_id: mediaId,
      submitted_by: actor,
    });
    const result: ActionResult = { success: true, message: `Payment proof stored for order ${order.order_number}`, order_status: order.order_status };
    return { result, rows: { notificationIds: [], broadcastIds: [id], processingIds: [] } };
  });
}

/** refused: the file itself was refused (the customer is told `reason`); else the download failed for good (admins are told). */
export async function paymentProofFailed(ctx: EngineContext, orderId: number, reason: string, refused: boolean): Promise<ActionResult> {
  const why = reason.trim().slice(0, 500) || 'unknown reason';
  return step(ctx, orderId, 'payment_proof', async (conn, order) => {
    await conn.query(q.FAIL_PAYMENT_PROOF, [why, orderId]);
    const payload = { order_id: orderId, order_number: order.order_number, reason: why };
    const [[user]] = await conn.query<RowDataPacket[]>(q.SELECT_RECIPIENT, [order.user_id]);
    const ids: number[] = [];
    const broadcastIds: number[] = [];
    if (refused && user?.psid) ids.push(await queueCustomer(conn, orderId, user.psid as string, 'payment_proof_refused', payload));
    if (!refused) broadcastIds.push(await queueAdmins(conn, orderId, 'payment_proof_failed', payload));
    const result: ActionResult = { success: true, message: `Payment proof for order ${order.order_number} not kept: ${why}`, order_status: order.order_status };
    return { result, rows: { notificationIds: ids, broadcastIds, processingIds: [] } };
  });
}

import { z } from 'zod';
import { publishAfterCommit, recordError, errorCodeOf, type EngineContext } from './engine-context.js';
import { queueAdmins } from './outbox.js';
import * as q from './sql/transition-sql.js';
import { failure, invalidTransition, lockOrder, notFound } from './transitions.js';
import { runTx } from './tx.js';
import type { ActionResult } from './types.js';

const proofUrl = z.url({ protocol: /^https?$/ }).max(2000);

/**
 * The customer's payment screenshot (GCash / bank transfer): payment_status → proof_submitted and ONE
 * admin broadcast 'payment_proof' so an admin can check it and confirm. A new proof replaces the old one
 * until the payment is marked paid.
 */
export async function attachPaymentProof(ctx: EngineContext, orderId: number, url: string, actor = 'customer'): Promise<ActionResult> {
  if (!Number.isSafeInteger(orderId) || orderId <= 0) return notFound(orderId);
  if (!proofUrl.safeParse(url).success) return failure('INVALID_FORMAT', 'The payment proof must be an http(s) link to the image');
  try {
    const outcome = await runTx(ctx.db, async (conn) => {
      const order = await lockOrder(conn, orderId);
      if (!order) return { result: notFound(orderId), ids: [] };
      if (order.payment_method === 'cod') {
        return { result: failure('PAYMENT_NOT_REQUIRED', `Order ${order.order_number} is cash on delivery: pay the courier on delivery`), ids: [] };
      }
      if (order.payment_status === 'paid' || order.payment_status === 'refunded') {
        return { result: failure('INVALID_TRANSITION', `Order ${order.order_number} is already ${order.payment_status}`), ids: [] };
      }
      if (order.order_status === 'cancelled' || order.order_status === 'expired') {
        return { result: await invalidTransition(conn, order, { operation: 'attach payment proof to' }), ids: [] };
      }
      await conn.query(q.SET_PAYMENT_PROOF, [url, orderId]);
      const id = await queueAdmins(conn, orderId, 'payment_proof', {
        order_id: orderId,
        order_number: order.order_number,
        total_amount: order.total_amount,
        payment_method: order.payment_method,
        order_status: order.order_status,
        proof_url: url,
        submitted_by: actor,
      });
      const result: ActionResult = { success: true, message: `Payment proof received for order ${order.order_number}`, order_status: order.order_status };
      return { result, ids: [id] };
    });
    await publishAfterCommit(ctx, { notificationIds: outcome.ids, processingIds: [] });
    return outcome.result;
  } catch (err) {
    await recordError(ctx, { operation: 'payment_proof', order_id: orderId, code: errorCodeOf(err), message: (err as Error).message });
    throw err;
  }
}

import { UnrecoverableError, type Job } from 'bullmq';
import type { RowDataPacket } from 'mysql2';
import { z } from 'zod';
import type { Db } from '../db/pool.js';
import type { OrderService } from '../orders/index.js';
import type { MediaStore } from '../media/media-store.js';
import { safeDownload, type DownloadPolicy } from '../media/safe-download.js';
import { orderWorkJobSchema } from './queues.js';
import { isFinalAttempt, parseJobData } from './job-helpers.js';
import * as store from './outbox-store.js';

/**
 * Processor for one `proof_download` row (queued by the engine's attachPaymentProof): download the
 * attachment under the SSRF rules of safeDownload, store it in the media store, hand the media id to
 * the engine. A refusal (not an image, too large, host not allowed, the URL is gone) is final at once
 * and the customer is told why; a network failure is retried with backoff, and after the last attempt
 * the order says so and the admins are told.
 */
export interface ProofDownloadDeps {
  db: Db;
  orders: OrderService;
  media: MediaStore;
  policy: DownloadPolicy;
}

/** ? row id */
const SELECT_PROOF_ROW = 'SELECT order_id, status, payload FROM order_processing_queue WHERE id = ?';
const payloadSchema = z.object({ url: z.string().min(1), actor: z.string().optional() });

export type ProofDownloadResult = { stored: number } | { refused: string } | { skipped: string };

export function createProofDownloadProcessor(deps: ProofDownloadDeps) {
  const { db } = deps;
  async function finish(rowId: number, orderId: number, reason: string, refused: boolean): Promise<ProofDownloadResult> {
    await deps.orders.paymentProofFailed(orderId, reason, refused);
    await store.markCompleted(db, 'order_processing_queue', rowId, `${refused ? 'refused' : 'failed'}: ${reason}`);
    return { refused: reason };
  }

  return async function processProofDownload(job: Job): Promise<ProofDownloadResult> {
    const { rowId, orderId } = parseJobData(orderWorkJobSchema, job);
    const [[row]] = await db.query<RowDataPacket[]>(SELECT_PROOF_ROW, [rowId]);
    if (!row || Number(row.order_id) !== orderId) throw new UnrecoverableError(`proof_download row ${rowId} of order ${orderId} does not exist`);
    if (row.status === 'completed') return { skipped: 'row already completed' };
    const parsed = payloadSchema.safeParse(typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload);
    if (!parsed.success) throw new UnrecoverableError(`proof_download row ${rowId} has no URL`);
    await store.markStarted(db, 'order_processing_queue', rowId);

    const download = await safeDownload(parsed.data.url, deps.policy);
    if (!download.ok) {
      if (download.permanent) return finish(rowId, orderId, download.message, true);
      if (isFinalAttempt(job)) return finish(rowId, orderId, `download failed after ${job.attemptsMade + 1} tries (${download.message})`, false);
      await store.markError(db, 'order_processing_queue', rowId, 'pending', download.message);
      throw new Error(download.message); // BullMQ retries with backoff
    }
    const saved = await deps.media.save(download.bytes, 'payment_proof');
    if (!saved.ok) return finish(rowId, orderId, saved.message, true);
    const r = await deps.orders.storePaymentProof(orderId, saved.media.id, parsed.data.actor);
    const note = r.success ? null : `stored as media ${saved.media.id}, not attached: ${r.error}`;
    await store.markCompleted(db, 'order_processing_queue', rowId, note);
    return { stored: saved.media.id };
  };
}

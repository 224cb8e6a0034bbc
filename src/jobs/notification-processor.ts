import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { Db } from '../db/pool.js';
import type { AdminService } from '../admins/admin-service.js';
import { GraphError, type SendApi, type SendRequest } from '../bot/send-api.js';
import type { OrderService } from '../orders/index.js';
import { notificationJobSchema, QUEUES } from './queues.js';
import { orderRefFromPayload, renderNotification, WINDOW_ONLY_TYPES, type OutgoingMessage, type RenderInput } from './notification-messages.js';
import type { MediaStore } from '../media/media-store.js';
import { isFinalAttempt, parseJobData, throughOutage } from './job-helpers.js';
import { isOutage } from '../db/outage.js';
import { doublingDelay } from '../backoff.js';
import * as store from './outbox-store.js';
import { createPartRecorder } from './part-recorder.js';
import { createNotificationBatches } from './notification-batches.js';
import type { NotificationWaiters } from './notification-waiters.js';

/**
 * The notifications processor: one notification_queue row per job. Admin broadcast rows fan out into one
 * child row (and job) per admin (on the fan-out queue, outside the Send API rate limit); every other row is rendered and sent, each part at most once (see
 * migration 020). Graph errors are classified: rate limits pause the whole queue, temporary errors (the
 * request provably did not reach Graph, or Graph said "try again") are retried with exponential backoff,
 * a send Graph may have received (timeout after sending) is "delivery unknown" and never sent again, and
 * permanent ones fail the row with Graph's reason at once. A customer's rows go out in row id order; an
 * admin's rows in row id order per order (see SAME_THREAD in outbox-store.ts). A row that settles wakes the
 * rows waiting for it at once (notification-waiters.ts).
 */
export interface NotificationProcessorDeps {
  db: Db;
  /** a pool that runs several statements per query (createBatchPool): rows claimed and loaded in one round trip */
  batchDb?: Db;
  orders: OrderService;
  admins: AdminService;
  sendApi: SendApi;
  logger: Logger;
  shop: RenderInput['shop'];
  /** a part whose send started longer ago than this lost its worker (Send API timeout + margin) */
  inDoubtAfterMs: number;
  rateLimitBackoffMs: number;
  /** pause the notifications queue (BullMQ Queue#rateLimit) */
  rateLimit(ms: number): Promise<void>;
  /** add rows as jobs and mark them published; throws when Redis refuses (the job is then retried) */
  publishNotifications(ids: number[]): Promise<void>;
  /** add a fan-out's child rows as jobs (marked published), after the customers' messages waiting with them; throws likewise */
  publishAdminRows(ids: number[]): Promise<void>;
  /** counts a send whose delivery is unknown (metrics) */
  onDeliveryUnknown?(): void;
  /** stored images a part names by media_id (payment proofs), sent as uploads */
  media: Pick<MediaStore, 'load'>;
  /** hand-over to the rows waiting for a row (none: they find out at their next look) */
  waiters?: NotificationWaiters;
}

/** A part naming a stored image (payload.media_id) becomes an attachment upload of its bytes. */
async function withUpload(media: Pick<MediaStore, 'load'>, part: OutgoingMessage): Promise<Pick<SendRequest, 'message' | 'filedata'>> {
  const payload = part.attachment?.payload;
  if (!payload || payload.media_id === undefined) return { message: part };
  const { media_id: id, ...rest } = payload;
  const stored = await media.load(Number(id));
  if (!stored) throw new UnrecoverableError(`stored image ${String(id)} does not exist`);
  return { message: { ...part, attachment: { ...part.attachment!, payload: rest } }, filedata: { bytes: stored.bytes, contentType: stored.content_type } };
}

/**
 * How long a row waits before looking again whether the earlier rows it waits for are settled: 250 ms,
 * doubling with each look up to 2 s, so rows held behind a row in a long backoff (Graph down) do not poll
 * hot. The earlier row's processor normally wakes it sooner (NotificationWaiters); the look is the safety net.
 */
const WAIT_FOR_EARLIER_MS = 250;
const WAIT_FOR_EARLIER_MAX_MS = 2000;

/**
 * A job that met an outage (MariaDB or Redis unreachable, a deadlock) is delayed without using up an attempt
 * and runs again after 500 ms, doubling up to 5 s, for as long as the outage lasts: the chaos run's MariaDB
 * restart used up the attempts of jobs in backoff and left their rows pending for good (issue 12).
 */
const OUTAGE_RETRY_MS = 500;
const OUTAGE_RETRY_MAX_MS = 5000;
/**
 * The bookkeeping right after a send (the message id; or, on a "not done" answer, the release of the claim)
 * is retried in place through an outage this long: the job holds its lock meanwhile, and a claim left behind
 * would turn a message Graph did (or did not) receive into "delivery unknown".
 */
const AFTER_SEND_OUTAGE_MS = 60_000;

interface Attempt {
  started: boolean;
  held: number | null;
}

export type NotificationResult = { sent: string | null; parts: number } | { skipped: string } | { fannedOut: number };

class DeliveryUnknownError extends Error {}
/** Another attempt's send of this row is in flight: look again once it must have finished. */
class SendInFlight extends Error {
  constructor(readonly recheckInMs: number) {
    super('another attempt is sending this notification');
  }
}

/** The comment a live-sale reply answers privately (until Graph told us the PSID), else null. */
function privateReplyComment(row: store.NotificationRow): string | null {
  const id = row.payload.comment_id;
  return row.notification_type === 'live_reply' && !row.recipient_psid && typeof id === 'string' && id ? id : null;
}

export function createNotificationProcessor(deps: NotificationProcessorDeps) {
  const { db, logger } = deps;
  const parts = createPartRecorder(db);
  const batches = createNotificationBatches(db, deps.batchDb);

  async function fanOutBroadcast(row: store.NotificationRow): Promise<NotificationResult> {
    await store.markStarted(db, 'notification_queue', row.id);
    const psids = await deps.admins.listPsids();
    const childIds = await store.fanOut(db, row, psids);
    await deps.publishAdminRows(childIds);
    const note = psids.length ? null : 'nobody to alert: no admin has a Messenger PSID (admins table or ADMIN_PSIDS)';
    if (note) logger.warn({ notificationId: row.id }, note);
    await store.markCompleted(db, 'notification_queue', row.id, note);
    return { fannedOut: childIds.length };
  }

  async function messagingFields(audience: 'customer' | 'admin', psid: string, row: store.NotificationRow): Promise<Pick<SendRequest, 'messaging_type' | 'tag'>> {
    if (audience === 'admin') return { messaging_type: 'UPDATE' };
    // Outside the 24-hour window only a message tag may be used; order updates are POST_PURCHASE_UPDATE.
    const inWindow = psid === row.recipient_psid ? row.in_window === true : await store.inMessagingWindow(db, psid);
    if (!inWindow) return { messaging_type: 'MESSAGE_TAG', tag: 'POST_PURCHASE_UPDATE' };
    return { messaging_type: row.notification_type === 'order_received' ? 'RESPONSE' : 'UPDATE' };
  }

  /** Another attempt owns part `part` (or owned it and died): decide what to do, never sending twice. */
  async function onClaimLost(id: number, part: number, lastPart: boolean): Promise<'skipped' | 'done'> {
    const now = await store.loadNotification(db, id);
    if (!now || now.message_id || now.status === 'completed') return 'done';
    if (now.parts_sent === part && now.sending_for_ms !== null && now.sending_for_ms >= deps.inDoubtAfterMs) {
      const reason =
        `delivery of part ${part + 1} unknown: the worker stopped while Graph was answering ` +
        `(${Math.round(now.sending_for_ms / 1000)} s ago); not sent again so the recipient never gets it twice`;
      if (lastPart) throw new DeliveryUnknownError(reason);
      if (await store.skipUnknownPart(db, id, part, reason)) return 'skipped';
    }
    // A live attempt may be sending right now (or just progressed): look again when it must be done.
    throw new SendInFlight(Math.max(100, deps.inDoubtAfterMs - (now.sending_for_ms ?? 0) + 100));
  }

  /**
   * `attempt.started` turns true once this attempt is counted on the row (with its first claim); `held` is
   * the part the row's load claimed (notification-batches.ts) until the send of that part begins: an attempt
   * that ends before then releases it (releaseHeld).
   */
  async function send(row: store.NotificationRow, attempt: Attempt): Promise<NotificationResult> {
    if (WINDOW_ONLY_TYPES.has(row.notification_type) && row.in_window !== true) {
      const note = "not sent: the recipient has not written to the Page within 24 hours (Messenger's messaging window)";
      await store.markCompleted(db, 'notification_queue', row.id, note);
      return { skipped: 'outside the messaging window' };
    }
    // Status updates render from the payload's snapshot; receipts and admin alerts need the whole order.
    const needOrder = !orderRefFromPayload(row.notification_type, row.payload) || (row.recipient_type === 'customer' && !row.recipient_psid);
    const order = row.order_id && needOrder ? await deps.orders.getOrder(row.order_id) : null;
    const productId = Number(row.payload.product_id);
    const product =
      row.notification_type === 'low_stock' && Number.isInteger(productId) && productId > 0
        ? await deps.orders.getProduct(productId)
        : null;
    const rendered = renderNotification({ type: row.notification_type, payload: row.payload, order, product, shop: deps.shop });
    if (!rendered.ok) throw new UnrecoverableError(rendered.reason);
    // a live-sale Private Reply goes to the comment; Graph answers with the commenter's PSID
    const commentId = privateReplyComment(row);
    const psid = row.recipient_psid ?? (row.recipient_type === 'customer' ? (order?.customer.psid ?? null) : null);
    if (!psid && !commentId) {
      await store.markCompleted(db, 'notification_queue', row.id, 'not sent: the recipient has no Messenger PSID');
      return { skipped: 'no Messenger PSID' };
    }
    const fields: Pick<SendRequest, 'messaging_type' | 'tag'> = commentId ? { messaging_type: 'RESPONSE' } : await messagingFields(rendered.audience, psid!, row);
    const recipient: SendRequest['recipient'] = commentId ? { comment_id: commentId } : { id: psid! };
    let lastId: string | null = null;
    for (let part = row.parts_sent; part < rendered.parts.length; part++) {
      const last = part === rendered.parts.length - 1;
      const claimed = attempt.held === part || (await store.claimPart(db, row.id, part, !attempt.started));
      attempt.held = null; // from here a failed send releases the part itself (below)
      if (claimed) attempt.started = true;
      else {
        if (!attempt.started) attempt.started = await store.markStarted(db, 'notification_queue', row.id);
        if ((await onClaimLost(row.id, part, last)) === 'done') return { skipped: 'already sent' };
        continue;
      }
      let res;
      try {
        res = await deps.sendApi.send({ recipient, ...fields, ...(await withUpload(deps.media, rendered.parts[part]!)) });
      } catch (err) {
        if (err instanceof GraphError && err.deliveryUnknown) {
          // Graph may have shown it (a timeout after the request went out): never send this part again.
          const reason = `delivery of part ${part + 1} unknown: ${err.reason}; not sent again so the recipient never gets it twice`;
          deps.onDeliveryUnknown?.();
          if (last) throw new DeliveryUnknownError(reason);
          await store.skipUnknownPart(db, row.id, part, reason);
          continue;
        }
        // Graph answered "not done" (or the call never left): nothing was sent
        await throughOutage(() => store.releasePart(db, row.id), AFTER_SEND_OUTAGE_MS);
        throw err;
      }
      await throughOutage(() => parts.record(row.id, part, res.message_id, last), AFTER_SEND_OUTAGE_MS);
      if (commentId && res.recipient_id) await store.recordRecipient(db, row.id, res.recipient_id);
      lastId = res.message_id;
    }
    return { sent: lastId, parts: rendered.parts.length };
  }

  /**
   * The row must wait for `earlier`: register for its wake-up, look once more (it may have settled between
   * the row's load and the registration), and delay the job. False when nothing is left to wait for.
   */
  async function waitForEarlier(job: Job, token: string | undefined, earlier: number): Promise<boolean> {
    if (!token) throw new Error(`an earlier notification for this recipient is still open`);
    await deps.waiters?.add(earlier, job.id!).catch((err: Error) => logger.debug({ err: err.message }, 'could not register a waiting notification'));
    const still = deps.waiters ? await store.earlierOpenFor(db, Number(job.data.notificationId)) : earlier;
    if (still === null) return false;
    if (still !== earlier) await deps.waiters?.add(still, job.id!).catch(() => undefined);
    const looks = Math.max(0, (job.attemptsStarted ?? 1) - 1);
    await job.moveToDelayed(Date.now() + doublingDelay(WAIT_FOR_EARLIER_MS, looks, WAIT_FOR_EARLIER_MAX_MS), token);
    return true;
  }

  /** The part the row's load claimed was not sent (skipped row, or an error before the send): free it. */
  async function releaseHeld(id: number, attempt: Attempt): Promise<void> {
    if (attempt.held === null) return;
    attempt.held = null;
    await throughOutage(() => store.releasePart(db, id), AFTER_SEND_OUTAGE_MS);
  }

  /** The row settled: the rows waiting for it go now (best effort: they look again by themselves anyway). */
  async function wake(id: number): Promise<void> {
    await deps.waiters?.wake(id).catch((err: Error) => logger.debug({ err: err.message, notificationId: id }, 'could not wake waiting notifications'));
  }

  async function processRow(job: Job, token?: string): Promise<NotificationResult> {
    const { notificationId: id } = parseJobData(notificationJobSchema, job);
    const row = await batches.loadAndClaim(id);
    if (!row) throw new UnrecoverableError(`notification_queue row ${id} does not exist`);
    if (row.message_id || row.status === 'completed') return { skipped: 'already sent' };
    if (row.recipient_type === 'admin' && row.recipient_psid === null) return fanOutBroadcast(row);
    if (job.queueName === QUEUES.fanOut) {
      // not a broadcast (a producer's mistake): it is sent from the notifications queue, under the rate limit
      if (row.claimed) await store.releasePart(db, id);
      await deps.publishNotifications([id]);
      return { skipped: 'not a broadcast: moved to the notifications queue' };
    }
    // One recipient's messages go out in the order of the events that caused them: an earlier row it waits
    // for (same customer; same admin and order) still open goes first, so a status never arrives before an
    // older one. The row's own load told whether there is one (one round trip); a row its load claimed had none.
    if (!row.claimed && row.recipient_psid !== null && row.earlier_open !== null && (await waitForEarlier(job, token, row.earlier_open))) {
      throw new DelayedError();
    }

    const attempt: Attempt = { started: row.claimed === true, held: row.claimed ? row.parts_sent : null };
    try {
      const result = await send(row, attempt);
      await releaseHeld(id, attempt);
      void wake(id); // best effort (the waiting rows look again by themselves): not on the job's path
      return result;
    } catch (err) {
      await releaseHeld(id, attempt);
      if (!(err instanceof GraphError) && isOutage(err)) throw err; // bookkeeping failed: waited out above
      if (!attempt.started) await store.markStarted(db, 'notification_queue', id).catch(() => undefined);
      if (err instanceof GraphError && err.isRateLimit) {
        // Back the whole queue off; the job goes back to waiting without using up an attempt.
        logger.warn({ notificationId: id, code: err.code }, 'Graph rate limit: pausing the notifications queue');
        await store.markError(db, 'notification_queue', id, 'pending', err.reason);
        await deps.rateLimit(deps.rateLimitBackoffMs);
        throw Worker.RateLimitError();
      }
      if (err instanceof SendInFlight && token) {
        await store.markError(db, 'notification_queue', id, 'pending', err.message);
        await job.moveToDelayed(Date.now() + err.recheckInMs, token);
        throw new DelayedError();
      }
      if (err instanceof DeliveryUnknownError) {
        await store.markDeliveryUnknown(db, id, err.message);
        logger.warn({ notificationId: id }, err.message);
        await wake(id);
        throw new UnrecoverableError(err.message);
      }
      const permanent = err instanceof UnrecoverableError || (err instanceof GraphError && !err.isTemporary);
      const reason = err instanceof GraphError ? err.reason : (err as Error).message;
      const status = permanent || isFinalAttempt(job) ? 'failed' : 'pending';
      await store.markError(db, 'notification_queue', id, status, reason).catch(() => undefined);
      if (status === 'failed') await wake(id);
      if (permanent && !(err instanceof UnrecoverableError)) throw new UnrecoverableError(reason);
      throw err;
    }
  }

  /** An outage is waited out: the job is delayed without using up an attempt (see OUTAGE_RETRY_MS). */
  return async function processNotification(job: Job, token?: string): Promise<NotificationResult> {
    try {
      return await processRow(job, token);
    } catch (err) {
      if (!token || err instanceof GraphError || !isOutage(err)) throw err;
      const looks = Math.max(0, (job.attemptsStarted ?? 1) - job.attemptsMade - 1);
      logger.warn({ jobId: job.id, err: (err as Error).message }, 'notification met an outage; retried without using up an attempt');
      await job.moveToDelayed(Date.now() + doublingDelay(OUTAGE_RETRY_MS, looks, OUTAGE_RETRY_MAX_MS), token);
      throw new DelayedError();
    }
  };
}

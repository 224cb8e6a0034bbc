import type { Queue } from 'bullmq';
import type { RedisClient } from '../db/redis.js';
import type { RowDataPacket } from 'mysql2/promise';
import type { Logger } from 'pino';
import type { Db } from '../db/pool.js';
import type { OutboxRows } from '../orders/index.js';
import { jobIds, PROCESSING_QUEUE_FOR, QUEUES, type QueueName } from './queues.js';
import { withTimeout } from '../timeout.js';
import { loadProcessingRows, markPublished } from './outbox-store.js';
import { createTickBatcher } from './tick-batcher.js';

/**
 * Moves outbox rows into BullMQ. After the engine commits, `publish` adds its rows (jobId derived from the
 * row id, so a second add is a no-op). Publishes that arrive in one turn of the event loop (the orders of one
 * group commit finish together) go as one: one addBulk per queue and one SELECT and one UPDATE per table for
 * all of them, where each order took three statements and two Redis round trips of its own. It never throws and never waits long on a dead Redis: the producer
 * connection has no offline queue and every add has a short timeout; rows left unpublished are picked up
 * by `relayOnce`, which the outbox-relay job scheduler runs every OUTBOX_RELAY_INTERVAL_MS.
 */
export interface PublisherDeps {
  db: Db;
  logger: Logger;
  queues: Record<QueueName, Queue>;
  /** the producer connection, to skip the attempt at once while Redis is unreachable */
  producer: RedisClient;
  timeoutMs: number;
  /** rows published this long ago and still open are published again (Redis lost them, or a job was lost) */
  republishAfterMs: number;
}

const RELAY_BATCH = 500;
/** at most this many publishes (orders) go as one; a group commit has at most 32 */
const PUBLISH_BATCH = 64;
const RELAY_MAX_BATCHES = 20;
/**
 * The BullMQ priority of admin rows (a fan-out's children, the daily summary). BullMQ runs the jobs without a
 * priority first, so under the Send API rate limit a shopper's receipt or status update waiting beside the
 * admins' alerts goes out before them: in a burst of orders (a live sale) a shop with two admins has three
 * sends per order, and the shopper who just tapped "Place order" is the one waiting at the phone. Admin rows
 * keep their order among themselves (one priority: first in, first out), and the processor's wait for an
 * earlier open row of the same recipient does not depend on the queue's order.
 */
export const ADMIN_ROW_PRIORITY = 10;

// Open rows never published, or published long ago and still open. Scheduled rows that are not yet due
// are not re-added (their delayed job is waiting); unknown queue types are left for whoever handles them.
// `stale`: published before, so its job may be dead (see republishDeadJobs); `broadcast`: an admin
// broadcast, published to the fan-out queue (queues.ts).
const UNPUBLISHED_NOTIFICATIONS = `
  SELECT id, published_at IS NOT NULL AS stale, (recipient_type = 'admin' AND recipient_psid IS NULL) AS broadcast
  FROM notification_queue
  WHERE status IN ('pending', 'processing')
    AND (published_at IS NULL OR published_at < NOW() - INTERVAL ? SECOND)
  ORDER BY id LIMIT ?`;
const UNPUBLISHED_PROCESSING = `
  SELECT id FROM order_processing_queue
  WHERE status IN ('pending', 'processing') AND queue_type IN (?)
    AND (published_at IS NULL
         OR (published_at < NOW() - INTERVAL ? SECOND AND (scheduled_at IS NULL OR scheduled_at <= NOW())))
  ORDER BY id LIMIT ?`;

export function createPublisher(deps: PublisherDeps) {
  const { db, logger, queues } = deps;

  /** Rows to send (under the Send API rate limit) and admin broadcasts to fan out (outside it). */
  async function addNotifications(ids: number[], broadcastIds: number[] = [], priority?: number): Promise<void> {
    const jobsOf = (rowIds: number[], p?: number) =>
      rowIds.map((id) => ({ name: 'send', data: { notificationId: id }, opts: { jobId: jobIds.notification(id), ...(p ? { priority: p } : {}) } }));
    const adds = [];
    if (ids.length) adds.push(queues[QUEUES.notifications].addBulk(jobsOf(ids, priority)));
    if (broadcastIds.length) adds.push(queues[QUEUES.fanOut].addBulk(jobsOf(broadcastIds)));
    if (adds.length === 0) return;
    await withTimeout(Promise.all(adds), deps.timeoutMs, 'adding notification jobs');
    await markPublished(db, 'notification_queue', [...ids, ...broadcastIds]);
  }

  async function addProcessing(ids: number[]): Promise<void> {
    const rows = (await loadProcessingRows(db, ids)).filter((r) => r.status === 'pending' || r.status === 'processing');
    const byQueue = new Map<QueueName, Array<{ name: string; data: unknown; opts: { jobId: string; delay?: number } }>>();
    const published: number[] = [];
    for (const row of rows) {
      const queue = PROCESSING_QUEUE_FOR[row.queue_type];
      if (!queue) {
        logger.warn({ rowId: row.id, queueType: row.queue_type }, 'order_processing_queue row has no worker; left pending');
        continue;
      }
      const expiry = queue === QUEUES.reservationExpiry;
      const job = {
        name: expiry ? 'expire' : 'process',
        data: { rowId: row.id, orderId: row.order_id },
        opts: {
          jobId: expiry ? jobIds.expiry(row.order_id) : jobIds.fulfillment(row.id),
          ...(row.due_in_ms !== null && row.due_in_ms > 0 ? { delay: row.due_in_ms } : {}),
        },
      };
      byQueue.set(queue, [...(byQueue.get(queue) ?? []), job]);
      published.push(row.id);
    }
    for (const [queue, jobs] of byQueue) {
      await withTimeout(queues[queue].addBulk(jobs), deps.timeoutMs, `adding ${queue} jobs`);
    }
    await markPublished(db, 'order_processing_queue', published);
  }

  /**
   * Open rows published long ago whose job is finished (failed or completed) are published afresh: BullMQ
   * ignores an add whose jobId exists, so such a row stayed open for good, and held back every later row
   * of its recipient (issue 12: a job's attempts used up while MariaDB was down, its row left pending).
   * The dead job is removed so that the add makes a new one. Sending again is safe: the processor never
   * resends a part it claimed (a claim left behind becomes "delivery unknown"), and a sent row is skipped.
   */
  async function republishDeadJobs(rows: Array<{ id: number; broadcast: boolean }>): Promise<void> {
    const dead = await Promise.all(
      rows.map(async ({ id, broadcast }) => {
        const job = await queues[broadcast ? QUEUES.fanOut : QUEUES.notifications].getJob(jobIds.notification(id));
        const state = job ? await job.getState() : null;
        if (!job || (state !== 'failed' && state !== 'completed')) return null;
        await job.remove();
        return id;
      }),
    );
    const found = dead.filter((id) => id !== null);
    if (found.length) logger.warn({ notificationIds: found }, 'open notification rows had a finished job: published again');
  }

  /** False while the producer is between connections: adding would only wait for the timeout. */
  function redisReachable(): boolean {
    return !['reconnecting', 'close', 'end'].includes(deps.producer.status);
  }

  /** Never throws: what could not be added is published by the relay later. */
  async function publishNow(rows: OutboxRows): Promise<void> {
    if (!redisReachable()) {
      logger.warn({ rows }, 'Redis unavailable: outbox rows left for the relay');
      return;
    }
    try {
      await addNotifications(rows.notificationIds, rows.broadcastIds);
      await addProcessing(rows.processingIds);
    } catch (err) {
      logger.warn({ err: (err as Error).message, rows }, 'publishing outbox rows failed; the relay retries');
    }
  }

  // the rows of every publish of one tick, published together (ids in call order); every caller waits for it
  const publishTogether = createTickBatcher<OutboxRows, void>(async (batch) => {
    await publishNow({
      notificationIds: batch.flatMap((r) => r.notificationIds),
      broadcastIds: batch.flatMap((r) => r.broadcastIds ?? []),
      processingIds: batch.flatMap((r) => r.processingIds),
    });
    return batch.map(() => undefined);
  }, PUBLISH_BATCH);

  return {
    /** After commit. Never throws: what could not be added is published by the relay later. */
    publish: publishTogether,

    /** Add rows to send; throws so that the job that adds them is retried. */
    publishNotifications: (ids: number[]) => addNotifications(ids),
    /** Add admin rows to send (a fan-out's children, the daily summary), after the customers' (ADMIN_ROW_PRIORITY); throws like publishNotifications. */
    publishAdminRows: (ids: number[]) => addNotifications(ids, [], ADMIN_ROW_PRIORITY),

    /**
     * One relay pass: publish what the outbox still holds unpublished (or stuck), in batches, until the
     * backlog is gone (bounded per pass; a published row no longer matches, so every batch is new rows).
     */
    async relayOnce(): Promise<{ notifications: number; processing: number }> {
      const age = Math.ceil(deps.republishAfterMs / 1000);
      const known = Object.keys(PROCESSING_QUEUE_FOR);
      const total = { notifications: 0, processing: 0 };
      for (let batch = 0; batch < RELAY_MAX_BATCHES; batch++) {
        const [n] = await db.query<RowDataPacket[]>(UNPUBLISHED_NOTIFICATIONS, [age, RELAY_BATCH]);
        const [p] = await db.query<RowDataPacket[]>(UNPUBLISHED_PROCESSING, [known, age, RELAY_BATCH]);
        const nRows = n.map((r) => ({ id: Number(r.id), broadcast: Number(r.broadcast) === 1, stale: Number(r.stale) === 1 }));
        await withTimeout(republishDeadJobs(nRows.filter((r) => r.stale)), deps.timeoutMs * 4, 'finding dead notification jobs');
        const pIds = p.map((r) => Number(r.id));
        await addNotifications(nRows.filter((r) => !r.broadcast).map((r) => r.id), nRows.filter((r) => r.broadcast).map((r) => r.id));
        await addProcessing(pIds);
        total.notifications += nRows.length;
        total.processing += pIds.length;
        if (nRows.length < RELAY_BATCH && pIds.length < RELAY_BATCH) break;
      }
      if (total.notifications || total.processing) logger.info(total, 'outbox relay published rows');
      return total;
    },
  };
}

export type Publisher = ReturnType<typeof createPublisher>;

import type { Queue } from 'bullmq';
import type { RedisClient } from '../db/redis.js';
import { createTickBatcher } from './tick-batcher.js';

/**
 * Prompt hand-over between the notifications of one recipient (see SAME_THREAD in outbox-store.ts). A row
 * that must wait for an earlier one registers its job under the earlier row's id and is delayed; when the
 * earlier row settles (sent, failed, delivery unknown) its processor promotes the registered jobs at once.
 * Without it the waiting row found out only at its next look (up to the poll cap later), which serialised
 * an admin's alerts at one per few seconds. The delayed look stays as the safety net (a wake lost to a
 * race or to Redis is only late). Keys are under the queue prefix (its hash tag: one Cluster slot).
 */
export interface NotificationWaiters {
  /** the job `jobId` waits for row `earlierId` */
  add(earlierId: number, jobId: string): Promise<void>;
  /**
   * row `id` settled: promote the jobs waiting for it. The rows settling in one turn of the event loop are
   * looked up in one MULTI (one round trip for all of them; nearly always nobody waits).
   */
  wake(id: number): Promise<void>;
}

/** a registration outlives any wait it serves (the delayed look comes back well within it) */
const KEEP_MS = 10 * 60_000;

export function createNotificationWaiters(redis: RedisClient, queue: Queue, prefix: string): NotificationWaiters {
  const key = (id: number) => `${prefix}:notifications:waiting-on:${id}`;
  const wake = createTickBatcher<number, void>(async (ids) => {
    const multi = redis.multi();
    for (const id of ids) multi.smembers(key(id)).del(key(id));
    const res = (await multi.exec()) ?? [];
    const jobIds = ids.flatMap((_, i) => (res[2 * i]?.[1] as string[] | undefined) ?? []);
    for (const jobId of jobIds) {
      // not delayed (yet): it is running, and finds the row settled itself, or looks again shortly
      await (await queue.getJob(jobId))?.promote().catch(() => undefined);
    }
    return ids.map(() => undefined);
  });
  return {
    async add(earlierId, jobId) {
      await redis.multi().sadd(key(earlierId), jobId).pexpire(key(earlierId), KEEP_MS).exec();
    },
    wake,
  };
}

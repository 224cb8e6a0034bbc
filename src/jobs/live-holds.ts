import { DelayedError, type Job, type Queue } from 'bullmq';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { LiveSales } from '../orders/live/live-sales.js';
import type { HoldScheduler } from '../orders/live/live-types.js';
import { parseJobData } from './job-helpers.js';
import { withTimeout } from '../timeout.js';

/**
 * Live-sale hold expiry, like reservation expiry: a delayed job per hold (jobId hold-<claim id>, so a
 * second schedule of the same hold adds nothing) plus a sweeper job scheduler as the safety net for a
 * job that was never added (Redis down) or lost. Expiring a hold gives its unit to the waitlist.
 */
export const liveHoldJobSchema = z.union([z.strictObject({ claimId: z.number().int().positive() }), z.strictObject({ sweep: z.literal(true) })]);

/** a job fires a little after the hold's time, so the database clock agrees that it is due */
const SLACK_MS = 250;
const SWEEP_BATCH = 200;

export const holdJobId = (claimId: number) => `hold-${claimId}`;

export function createHoldScheduler(queue: () => Queue, logger: Logger): HoldScheduler {
  return {
    async schedule(holds) {
      const jobs = holds.map((h) => ({
        name: 'expire-hold',
        data: { claimId: h.claimId },
        opts: { jobId: holdJobId(h.claimId), delay: Math.max(0, h.expiresAt.getTime() - Date.now() + SLACK_MS) },
      }));
      try {
        await withTimeout(queue().addBulk(jobs), 1500, 'adding hold expiry jobs');
      } catch (err) {
        // the sweeper expires them on its next pass
        logger.warn({ err: (err as Error).message, holds: holds.length }, 'live: could not add hold expiry jobs; the sweeper will expire them');
      }
    },
  };
}

export function createLiveHoldProcessor(live: LiveSales) {
  return async function processLiveHold(job: Job, token?: string): Promise<unknown> {
    const data = parseJobData(liveHoldJobSchema, job);
    if ('sweep' in data) return { expired: await live.sweepDueHolds(SWEEP_BATCH) };
    const outcome = await live.expireHold(data.claimId);
    if (outcome === 'not_due' && token) {
      // fired early (clock skew): look again shortly
      await job.moveToDelayed(Date.now() + 1000, token);
      throw new DelayedError();
    }
    return { outcome };
  };
}

export async function upsertHoldSweep(queue: Queue, everyMs: number): Promise<void> {
  const opts = { removeOnComplete: { count: 100 }, removeOnFail: { count: 500 }, attempts: 1 };
  await queue.upsertJobScheduler('live-hold-sweep', { every: everyMs }, { name: 'live-hold-sweep', data: { sweep: true }, opts });
}

import { UnrecoverableError, type Job } from 'bullmq';
import type { z } from 'zod';
import { isOutage } from '../db/outage.js';

/** Parse job data with its schema; bad data can never succeed, so it fails the job at once. */
export function parseJobData<T>(schema: z.ZodType<T>, job: Job): T {
  const parsed = schema.safeParse(job.data);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'data'}: ${i.message}`).join('; ');
  throw new UnrecoverableError(`invalid job data for ${job.queueName} job ${job.id}: ${issues}`);
}

/** True while running the job's last allowed attempt (attemptsMade counts the attempts that failed). */
export function isFinalAttempt(job: Job): boolean {
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}

/**
 * Run fn, and while it fails on an outage (MariaDB or Redis unreachable, see db/outage.ts) run it again with
 * a short doubling wait, for at most maxMs; any other error, or an outage outlasting maxMs, is thrown.
 */
export async function throughOutage<T>(fn: () => Promise<T>, maxMs: number): Promise<T> {
  const deadline = Date.now() + maxMs;
  for (let wait = 200; ; wait = Math.min(wait * 2, 2000)) {
    try {
      return await fn();
    } catch (err) {
      if (!isOutage(err) || Date.now() + wait > deadline) throw err;
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

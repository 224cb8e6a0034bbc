/**
 * The wait before retry `n` (0 for the first) of a doubling backoff: base, 2 × base, 4 × base, … never
 * more than `maxMs`. One expression for every retry loop that waits out a failure on its own (the turn
 * runner's outage retries, a notification waiting for an earlier one, a notification meeting an outage);
 * BullMQ's own `backoff: { type: 'exponential' }` covers the jobs it retries.
 */
export function doublingDelay(baseMs: number, n: number, maxMs: number): number {
  // past 2^30 the cap has long won; the clamp keeps a huge n from overflowing to Infinity × 0 = NaN
  return Math.min(baseMs * 2 ** Math.min(Math.max(0, Math.floor(n)), 30), maxMs);
}

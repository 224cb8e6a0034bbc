import { createCoalescer } from '../db/coalesce.js';

/**
 * Coalesces the calls made during one turn of the event loop into one call of `run` (DataLoader style):
 * the notification jobs running at once each load, claim and record their own row, and one statement for
 * all of them costs one round trip (and one commit) instead of one each. `run` gets the items in call order
 * and answers one result per item, in the same order; when it throws, every caller of that batch gets the
 * error (each job then goes through its usual error path). At most `maxItems` per call; the rest go next.
 */
export type TickBatcher<I, R> = (item: I) => Promise<R>;

interface Pending<I, R> {
  item: I;
  resolve(r: R): void;
  reject(err: unknown): void;
}

export function createTickBatcher<I, R>(run: (items: I[]) => Promise<R[]>, maxItems = 100): TickBatcher<I, R> {
  // no bound on batches out at once: each tick's callers go as one batch right away
  // (the engine bounds its batches so that its groups grow while one is out)
  const join = createCoalescer<Pending<I, R>>({
    maxGroup: maxItems,
    maxInFlight: Infinity,
    async run(batch) {
      try {
        const results = await run(batch.map((p) => p.item));
        batch.forEach((p, i) => p.resolve(results[i]!));
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    },
  });
  return (item) => new Promise<R>((resolve, reject) => join({ item, resolve, reject }));
}

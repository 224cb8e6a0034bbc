import { createCoalescer } from '../db/coalesce.js';

/**
 * Coalesces the calls made during one turn of the event loop into one call of `run` (DataLoader style):
 * the notification jobs running at once each load, claim and record their own row, and one statement for
 * all of them costs one round trip (and one commit) instead of one each. `run` gets the items in call order
 * and answers one result per item, in the same order; when it throws, every caller of that batch gets the
 * error (each job then goes through its usual error path). At most `maxItems` per call; the rest go next.
 *
 * `maxInFlight` bounds the batches out at once (default none: each turn's callers go at once). With 1, the
 * callers that arrive while a batch is out wait for it and go together as the next: fewer, larger
 * statements for the same work, at the price of at most one batch's round trip of waiting.
 */
export type TickBatcher<I, R> = (item: I) => Promise<R>;

interface Pending<I, R> {
  item: I;
  resolve(r: R): void;
  reject(err: unknown): void;
}

export function createTickBatcher<I, R>(run: (items: I[]) => Promise<R[]>, maxItems = 100, maxInFlight = Infinity): TickBatcher<I, R> {
  const join = createCoalescer<Pending<I, R>>({
    maxGroup: maxItems,
    maxInFlight,
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

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
  const pending: Array<Pending<I, R>> = [];
  let scheduled = false;

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    // after this turn of the event loop: every caller that got here meanwhile joins
    setImmediate(() => void flush());
  }

  async function flush(): Promise<void> {
    scheduled = false;
    const batch = pending.splice(0, maxItems);
    if (pending.length) schedule();
    try {
      const results = await run(batch.map((p) => p.item));
      batch.forEach((p, i) => p.resolve(results[i]!));
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }

  return (item) =>
    new Promise<R>((resolve, reject) => {
      pending.push({ item, resolve, reject });
      schedule();
    });
}

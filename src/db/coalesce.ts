/**
 * The scheduler shared by the engine's group commit and coalesced reads (orders/group-commit.ts,
 * group-reads.ts) and the notification jobs' batched statements (jobs/tick-batcher.ts): members
 * that arrive while up to `maxInFlight` batches are out wait, and go together (up to `maxGroup`) once one
 * returns. A batch starts after the current turn of the event loop, so every caller that got there
 * meanwhile joins it. `single`, when given, takes a batch of one instead of `run` (no slot used).
 *
 * With a bound on batches in flight, the members waiting are spread over the free slots (8 waiting, 2 slots
 * free: two batches of 4), not all taken by the first batch. Taken all at once, callers that had finished
 * together stayed in lock-step for good: createOrder's 8 bench clients read as one batch, then wrote as one
 * group, then read again, so the server ran one batch at a time while the other phase waited (bench:orders
 * at 8 clients: hot product 0.74 → 0.81-0.83 of the bare transaction, 1,000 products 0.42 → 0.52-0.54; at 32
 * clients 0.94 → 1.22-1.28 and 0.48 → 0.69-0.74).
 */
export function createCoalescer<M>(opts: {
  maxGroup: number;
  maxInFlight: number;
  run(members: M[]): Promise<void>;
  single?(member: M): void;
}): (member: M) => void {
  const pending: M[] = [];
  let inFlight = 0;
  let scheduled = false;

  function schedule(): void {
    if (scheduled || inFlight >= opts.maxInFlight || pending.length === 0) return;
    scheduled = true;
    setImmediate(flush);
  }

  function flush(): void {
    scheduled = false;
    if (inFlight >= opts.maxInFlight || pending.length === 0) return;
    // bounded in flight: the waiting members are spread over the free slots rather than all taken by the first,
    // so callers that finished together do not stay in lock-step (see below)
    const free = opts.maxInFlight - inFlight;
    const take = Number.isFinite(free) ? Math.min(opts.maxGroup, Math.ceil(pending.length / free)) : opts.maxGroup;
    const members = pending.splice(0, take);
    if (members.length === 1 && opts.single) opts.single(members[0]!);
    else {
      inFlight += 1;
      void opts.run(members).finally(() => {
        inFlight -= 1;
        schedule();
      });
    }
    schedule();
  }

  return (member) => {
    pending.push(member);
    schedule();
  };
}

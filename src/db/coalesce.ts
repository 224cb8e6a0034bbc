/**
 * The scheduler shared by the engine's group commit and coalesced reads (orders/group-commit.ts,
 * group-reads.ts) and the notification jobs' batched statements (jobs/tick-batcher.ts): members
 * that arrive while up to `maxInFlight` batches are out wait, and go together (up to `maxGroup`) once one
 * returns. A batch starts after the current turn of the event loop, so every caller that got there
 * meanwhile joins it. `single`, when given, takes a batch of one instead of `run` (no slot used).
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
    const members = pending.splice(0, opts.maxGroup);
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

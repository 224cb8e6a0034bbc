/**
 * The lease a turn runs under (the user's lock in Redis, see turn-runner.ts). A reply is sent only after
 * `confirm()` found the lease still this run's (and extended it): a run whose lease lapsed (Redis unreachable
 * longer than the lease, a master restarted without the lock, the process paused) stops at its next reply
 * instead of sending beside the run that took the user over. The token also names the run in the reply
 * ledger (src/bot/reply-ledger.ts).
 */
export interface TurnLease {
  readonly token: string;
  /** Resolves while the lease is this run's (extending it); throws TurnLeaseLost when it is not. */
  confirm(): Promise<void>;
}

export class TurnLeaseLost extends Error {
  constructor() {
    super('the turn lost its lease: another run has this user now');
    this.name = 'TurnLeaseLost';
  }
}

/** TurnLeaseLost, or an error wrapping it (botbuilder's DialogContextError keeps it in `error`). */
export function isLeaseLost(err: unknown, depth = 0): boolean {
  if (err instanceof TurnLeaseLost) return true;
  if (!err || typeof err !== 'object' || depth > 4) return false;
  const e = err as { error?: unknown; cause?: unknown };
  return isLeaseLost(e.error, depth + 1) || isLeaseLost(e.cause, depth + 1);
}

/** Where a Botkit turn's context keeps its lease (the adapter's processEvent puts it there). */
export const TURN_LEASE = 'quicksell.turnLease';

/** The lease the turn of this context runs under (the turn runner's), if any. */
export const leaseOf = (context: { turnState: Map<unknown, unknown> }): TurnLease | undefined => context.turnState.get(TURN_LEASE) as TurnLease | undefined;

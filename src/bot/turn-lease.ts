/**
 * The lease a turn runs under (the user's lock in Redis, see turn-runner.ts). A reply is sent only after
 * `confirm()` found the lease still this run's (and extended it): a run whose lease lapsed (Redis unreachable
 * longer than the lease, a master restarted without the lock, the process paused) stops at its next reply
 * instead of sending beside the run that took the user over. The token also names the run in the reply
 * ledger (src/bot/reply-ledger.ts, TurnRun below).
 */
export interface TurnLease {
  readonly token: string;
  /** Resolves while the lease is this run's (extending it); throws TurnLeaseLost when it is not. */
  confirm(): Promise<void>;
  /**
   * confirm() and a Redis write in one atomic step (the turn's dialog state at its end, redis-storage.ts):
   * the key is set only while the lease is this run's; TurnLeaseLost, and nothing written, when it is not.
   */
  save(key: string, value: string, ttlSeconds: number): Promise<void>;
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

/**
 * One run of one inbound event's turn, made once per run (the turn runner's runTurn) and passed to
 * everything that sends for it: the Botkit adapter's replies (kept in the turn's context), and the sends
 * around Botkit (handover, the live sale's "in your cart"). The reply ledger keys the run's sends by
 * `inboundId` and names the run by `owner`; each send waits for `lease.confirm()`.
 */
export interface TurnRun {
  /** the inbound event this run answers (its de-duplication key) */
  readonly inboundId: string;
  /** names the run in the reply ledger: the lease's token when there is a lease */
  readonly owner: string;
  readonly lease?: TurnLease;
}

/** The run of a turn under the turn runner's lease. */
export const runUnder = (inboundId: string, lease: TurnLease): TurnRun => ({ inboundId, owner: lease.token, lease });

/** Where a Botkit turn's context keeps its run (the adapter's processEvent puts it there). */
export const TURN_RUN = 'quicksell.turnRun';

type WithTurnState = { turnState: Map<unknown, unknown> };

/** The run of the turn of this context (set by the adapter's processEvent), if any. */
export const runOf = (context: WithTurnState | undefined): TurnRun | undefined => context?.turnState.get(TURN_RUN) as TurnRun | undefined;

/** The lease the turn of this context runs under (the turn runner's), if any. */
export const leaseOf = (context: WithTurnState): TurnLease | undefined => runOf(context)?.lease;

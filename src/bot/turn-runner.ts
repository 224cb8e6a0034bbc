import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../db/redis.js';
import type { Logger } from 'pino';
import type { InboundEvent } from './events.js';
import { defineTurnScripts, type TurnScripts } from './turn-scripts.js';
import { isLeaseLost, TurnLeaseLost, type TurnLease } from './turn-lease.js';
import { listenForWakes, type WakeListener } from './turn-wake.js';
import { doublingDelay } from '../backoff.js';

/**
 * Per-PSID serialized turns, across processes: each user has a Redis list (their inbox); whoever takes
 * the user's lock drains the inbox in order, one turn at a time. The webhook only appends and kicks,
 * so it answers at once however slow a turn is. An event is popped only after its turn finished, so a
 * process killed mid-turn leaves it for the next drainer.
 *
 * The lock is a short lease (TURN_LOCK_MS, default 5 s) renewed while the drainer lives: a turn that
 * overruns keeps it until it really ends (the user's next event never runs beside it), and a dead
 * process holds the user for one lease at most (the sweeper then drains the inbox elsewhere). The turn gets
 * the lease (TurnLease): each reply is sent, and the dialog state saved at the turn's end, only after
 * confirming it is still this run's, so a run whose lease lapsed (Redis unreachable longer than the lease,
 * a master restarted without the lock) stops at its next reply or its save, leaves the event to the run
 * that took the user over, and pops nothing.
 *
 * A turn that fails on an outage (MySQL or Redis unreachable, deadlock, lock wait timeout) stays at the
 * head of the inbox and is tried again with backoff; the user's later events wait behind it. After
 * `outageDeadlineMs` of failing it moves to the dead-letter list and `onDeadLetter` tells the customer.
 * A turn that fails for any other reason (a bug) is not retried: runTurn has apologised, the event goes.
 *
 * At most `maxConcurrent` users drain at once in a process; others wait for a slot, first come first served.
 * While anyone waits, a user gets one turn per slot: their next event stays in their inbox and they go to the
 * back of the line. Before, a user whose next tap arrived during their turn kept the slot for the whole
 * conversation, and a new shopper at full load waited behind 64 whole journeys (bench:webhook, 200 shoppers:
 * first tap p50 4-6 s, p99 10-16 s). With TURN_PROCESS=worker the users waiting are on Redis's ready list:
 * when every slot of the process is taken and the list is not empty, the user goes to its back instead.
 */
export interface TurnRunner {
  /**
   * De-duplicate (an event id seen in the last `dedupeSeconds` is dropped) and append the new events to
   * their users' inboxes, in order, in one atomic Redis script; then start draining. Returns the new ones.
   */
  enqueue(events: InboundEvent[]): Promise<InboundEvent[]>;
  /** Events given up after an outage outlasted the deadline (oldest first, at most `limit`). */
  deadLetters(limit?: number): Promise<DeadLetter[]>;
  deadLetterCount(): Promise<number>;
  /** Resolves when this process has no turn running or queued (tests, shutdown). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export interface DeadLetter {
  event: InboundEvent;
  error: string;
  failingSince: string;
  deadAt: string;
}

export interface TurnObserver {
  retried(): void;
  deadLettered(): void;
  overran(): void;
}

export interface TurnRunnerOptions {
  redis: RedisClient;
  prefix: string;
  logger: Logger;
  runTurn(event: InboundEvent, lease: TurnLease): Promise<void>;
  /** An error runTurn threw: true for an outage (keep the event and retry), false for a bug. */
  isRetryable(err: unknown): boolean;
  /** The event was dead-lettered: tell the customer (best effort). */
  onDeadLetter(event: InboundEvent, entry: DeadLetter): Promise<void>;
  observer?: TurnObserver;
  lockMs?: number;
  sweepMs?: number;
  dedupeSeconds?: number;
  /** Users drained at once by this process: turns share the event loop with the webhook, which must stay quick. */
  maxConcurrent?: number;
  /**
   * Acknowledging Messenger comes first: while this says the webhook is busy (posts queue up in this
   * process), at most `busyConcurrent` users are drained at once; the rest wait in Redis (durable) and
   * are taken up as soon as the posts ease. Never fewer than one, so turns always progress.
   */
  busy?: () => boolean;
  busyConcurrent?: number;
  /** a turn running longer than this is logged as overrunning (it keeps the user's lock until it ends) */
  turnTimeoutMs?: number;
  /** first retry delay after an outage; doubles up to retryMaxDelayMs */
  retryBackoffMs?: number;
  retryMaxDelayMs?: number;
  /** how long one event may keep failing on outages before it is dead-lettered */
  outageDeadlineMs?: number;
  /**
   * TURN_PROCESS=worker (see turn-wake.ts). `wake`: enqueue puts newly pending users on the ready list
   * instead of draining them here. `listen`: a connection of this runner's own (closed by it) on which it
   * waits for ready users and drains them; with it, or without `wake`, this process runs turns (and the sweeper).
   */
  wake?: boolean;
  listen?: RedisClient;
}

/**
 * done: pop the event; retry: keep it at the head and try again; moved: it went to the dead-letter list;
 * lost: the lease is another run's now (it runs the event): stop draining, pop nothing
 */
type Outcome = 'done' | 'retry' | 'moved' | 'lost';

export function createTurnRunner(opts: TurnRunnerOptions): TurnRunner {
  const { redis, prefix, logger } = opts;
  const scripts: TurnScripts = defineTurnScripts(redis);
  const lockMs = opts.lockMs ?? 5000;
  const turnTimeoutMs = opts.turnTimeoutMs ?? 25_000;
  const retryBackoffMs = opts.retryBackoffMs ?? 1000;
  const retryMaxDelayMs = opts.retryMaxDelayMs ?? 30_000;
  const outageDeadlineMs = opts.outageDeadlineMs ?? 5 * 60_000;
  const inboxKey = (psid: string) => `${prefix}:bot:inbox:${psid}`;
  const lockKey = (psid: string) => `${prefix}:bot:lock:${psid}`;
  const outageKey = (psid: string) => `${prefix}:bot:outage:${psid}`;
  const pendingKey = `${prefix}:bot:pending`;
  const readyKey = `${prefix}:bot:ready`;
  const wake = opts.wake ?? false;
  const runsTurns = !wake || opts.listen !== undefined;
  const deadKey = `${prefix}:bot:dead`;
  const seenKey = (dedupeKey: string) => `${prefix}:bot:seen:${dedupeKey}`;
  const maxConcurrent = opts.maxConcurrent ?? 16;
  const busyConcurrent = Math.max(1, Math.min(opts.busyConcurrent ?? 4, maxConcurrent));
  const limit = () => (opts.busy?.() ? busyConcurrent : maxConcurrent);
  const draining = new Map<string, Promise<void>>();
  const rerun = new Set<string>();
  const waiting = new Set<string>();
  const sleepers = new Set<() => void>();
  let closed = false;

  /** Wait ms, or less when the runner closes (the event stays queued for another process). */
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      sleepers.add(wake);
    });

  /** When this event first failed on an outage (kept in Redis, so a process taking over keeps the deadline). */
  async function failingSince(psid: string, ev: InboundEvent): Promise<number> {
    const stored = await redis.get(outageKey(psid));
    const prev = stored ? (JSON.parse(stored) as { key: string; since: number }) : null;
    if (prev?.key === ev.dedupeKey) return prev.since;
    const since = Date.now();
    await redis.set(outageKey(psid), JSON.stringify({ key: ev.dedupeKey, since }), 'PX', outageDeadlineMs + 60_000);
    return since;
  }

  async function attempt(psid: string, raw: string, ev: InboundEvent, lease: TurnLease): Promise<Outcome> {
    const watch = setTimeout(() => {
      opts.observer?.overran();
      logger.warn({ psid, kind: ev.kind, turnTimeoutMs }, 'bot turn is overrunning; the user stays locked until it ends');
    }, turnTimeoutMs);
    try {
      await opts.runTurn(ev, lease);
      return 'done';
    } catch (err) {
      if (isLeaseLost(err)) {
        logger.warn({ psid }, 'bot turn stopped: its lease lapsed and another run has the user (nothing more sent)');
        return 'lost';
      }
      if (!opts.isRetryable(err)) {
        logger.error({ err, psid }, 'bot turn failed'); // a bug: runTurn apologised, the event goes
        return 'done';
      }
      const since = await failingSince(psid, ev);
      if (Date.now() - since < outageDeadlineMs) {
        opts.observer?.retried();
        logger.warn({ err, psid, failingForMs: Date.now() - since }, 'bot turn hit an outage; kept at the head of the inbox and retried');
        return 'retry';
      }
      const entry: DeadLetter = { event: ev, error: (err as Error)?.message ?? String(err), failingSince: new Date(since).toISOString(), deadAt: new Date().toISOString() };
      if (Number(await scripts.deadLetter(inboxKey(psid), deadKey, outageKey(psid), raw, JSON.stringify(entry))) === 1) {
        opts.observer?.deadLettered();
        logger.error({ err, psid, failingSince: entry.failingSince }, 'bot turn failed on an outage past the deadline; moved to the dead-letter list');
        await opts.onDeadLetter(ev, entry).catch((sendErr: unknown) => logger.warn({ err: sendErr, psid }, 'could not tell the customer'));
      }
      return 'moved';
    } finally {
      clearTimeout(watch);
    }
  }

  async function drain(psid: string): Promise<void> {
    const token = randomUUID();
    // the lock and the first head in one round trip: 0 = another drainer (maybe another process) holds this user
    const took = (await scripts.take(lockKey(psid), inboxKey(psid), token, String(lockMs))) as 0 | [string?];
    if (took === 0) return;
    let lost = false;
    const renew = setInterval(() => {
      scripts
        .renew(lockKey(psid), token, String(lockMs))
        .then((ok) => {
          if (Number(ok) === 0 && !lost) {
            lost = true;
            logger.error({ psid }, 'bot lock lost while a turn runs (Redis unreachable longer than the lease?)');
          }
        })
        .catch(() => undefined);
    }, Math.max(50, Math.floor(lockMs / 3)));
    renew.unref();
    /** a lease script (1 while the lock is ours), not even sent once the lease is known lost */
    const underLease = async (script: () => Promise<unknown>) => {
      if (lost || Number(await script()) === 0) {
        lost = true;
        throw new TurnLeaseLost();
      }
    };
    const lease: TurnLease = {
      token,
      confirm: () => underLease(() => scripts.renew(lockKey(psid), token, String(lockMs))),
      save: (key, value, ttlSeconds) => underLease(() => scripts.saveUnderLease(lockKey(psid), key, token, String(lockMs), value, String(ttlSeconds))),
    };
    // gave the slot to users on the ready list (TURN_PROCESS=worker): the release puts this user behind them
    let yieldToReady = false;
    // the last pop found the inbox empty and released the user already (POP_HEAD)
    let released = false;
    try {
      let failures = 0;
      // the head to run next: popping a finished turn also reads the next head (one round trip, not two)
      let head: string | null | undefined = took[0] ?? null;
      while (!closed && !lost) {
        const raw = head === undefined ? await redis.lindex(inboxKey(psid), 0) : head;
        head = undefined;
        if (raw === null) break;
        const outcome = await attempt(psid, raw, JSON.parse(raw) as InboundEvent, lease);
        // lost, or lapsed since its last check: the run that has the user now pops (or re-runs) the event
        if (outcome === 'lost' || lost) break;
        if (outcome !== 'retry') {
          // only if it is still the head: a drainer that lost its lock must not pop an event it did not run
          // (and when nothing is left, ends the drain: the lock and the pending mark go in the same step)
          let ready = 0;
          if (outcome === 'done') {
            let over: number;
            [ready, head, over] = (await scripts.popHead(lockKey(psid), inboxKey(psid), pendingKey, readyKey, outageKey(psid), token, psid, '0', raw, failures > 0 ? '1' : '0')) as [number, string | null, number];
            released = Number(over) === 1;
          }
          failures = 0;
          // users wait for a slot: this one's next event goes behind them (still queued, in order); in this
          // process's line, or on the ready list when every slot here is taken (a turn process's listener)
          if (waiting.size > 0) break;
          if (ready > 0 && wake && draining.size >= limit()) {
            yieldToReady = true;
            break;
          }
          continue;
        }
        failures += 1;
        await pause(doublingDelay(retryBackoffMs, failures - 1, retryMaxDelayMs));
        if (Number(await scripts.renew(lockKey(psid), token, String(lockMs))) === 0) break;
      }
    } finally {
      clearInterval(renew);
      const left = released ? 0 : Number(await scripts.release(lockKey(psid), inboxKey(psid), pendingKey, readyKey, token, psid, yieldToReady ? '1' : '0'));
      if (left > 0 && !closed && !yieldToReady) rerun.add(psid);
    }
  }

  function kick(psid: string): void {
    if (closed) return;
    if (draining.has(psid)) {
      rerun.add(psid); // the running drain makes one more pass, so nothing appended meanwhile is missed
      return;
    }
    if (draining.size >= limit()) {
      waiting.add(psid);
      return;
    }
    const p = (async () => {
      do {
        rerun.delete(psid);
        await drain(psid).catch((err) => logger.error({ err, psid }, 'bot drain failed'));
        // one turn per user per pass while others wait: a user whose next tap came during their turn does
        // not keep the slot for a whole conversation (new users waited behind 64 journeys: bench:webhook)
        if (rerun.has(psid) && waiting.size > 0) {
          rerun.delete(psid);
          waiting.add(psid);
          break;
        }
      } while (rerun.has(psid) && !closed);
    })().finally(() => {
      draining.delete(psid);
      // as many waiting users as the limit allows now (more than one when the webhook has eased)
      while (waiting.size && !closed && draining.size < limit()) {
        const next = waiting.values().next().value!;
        waiting.delete(next);
        kick(next);
      }
    });
    draining.set(psid, p);
  }

  // Safety net: inboxes left by a process that died holding a lock are drained once its lease lapses.
  // An ack-only process (TURN_PROCESS=worker, ROLE=web) runs no turns, so no sweeper either.
  const sweeper = runsTurns
    ? setInterval(() => {
        redis
          .smembers(pendingKey)
          .then((psids) => psids.filter((p) => !draining.has(p)).forEach(kick))
          .catch(() => undefined);
      }, opts.sweepMs ?? 2000)
    : undefined;
  sweeper?.unref();
  const listener: WakeListener | null = opts.listen
    ? listenForWakes({ conn: opts.listen, readyKey, free: () => limit() - draining.size, kick, logger })
    : null;

  return {
    async enqueue(events) {
      if (!events.length) return [];
      const keys = events.flatMap((ev) => [seenKey(ev.dedupeKey), inboxKey(ev.psid)]);
      const args = events.flatMap((ev) => [JSON.stringify(ev), ev.psid]);
      const ttl = String(opts.dedupeSeconds ?? 48 * 3600);
      const fresh = (await scripts.enqueue(keys.length + 2, ...keys, pendingKey, readyKey, ttl, wake ? '1' : '0', ...args)) as number[];
      const accepted = fresh.map((i) => events[i - 1]!);
      if (!wake) for (const psid of new Set(accepted.map((e) => e.psid))) kick(psid);
      return accepted;
    },
    async deadLetters(limit = 100) {
      return (await redis.lrange(deadKey, 0, limit - 1)).map((raw) => JSON.parse(raw) as DeadLetter);
    },
    deadLetterCount: () => redis.llen(deadKey),
    async idle() {
      while (draining.size) await Promise.allSettled([...draining.values()]);
    },
    /** Finish the turns running now; what is still queued (or waiting out an outage) stays for the next process. */
    async close() {
      closed = true;
      clearInterval(sweeper);
      await listener?.stop();
      for (const wake of [...sleepers]) wake();
      await this.idle();
    },
  };
}

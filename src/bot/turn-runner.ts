import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../db/redis.js';
import type { Logger } from 'pino';
import type { InboundEvent } from './events.js';

/**
 * Per-PSID serialized turns, across processes: each user has a Redis list (their inbox); whoever takes
 * the user's lock drains the inbox in order, one turn at a time. The webhook only appends and kicks,
 * so it answers at once however slow a turn is. An event is popped only after its turn finished, so a
 * process killed mid-turn leaves it for the next drainer (the sweeper picks it up after the lock expires).
 */
export interface TurnRunner {
  /**
   * De-duplicate (an event id seen in the last `dedupeSeconds` is dropped) and append the new events to
   * their users' inboxes, in order, in one atomic Redis script; then start draining. Returns the new ones.
   */
  enqueue(events: InboundEvent[]): Promise<InboundEvent[]>;
  /** Resolves when this process has no turn running or queued (tests, shutdown). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export interface TurnRunnerOptions {
  redis: RedisClient;
  prefix: string;
  logger: Logger;
  runTurn(event: InboundEvent): Promise<void>;
  lockMs?: number;
  sweepMs?: number;
  dedupeSeconds?: number;
  /** Users drained at once by this process: turns share the event loop with the webhook, which must stay quick. */
  maxConcurrent?: number;
}

// Release the lock only if it is still ours, then tell the caller whether more work arrived meanwhile.
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then redis.call('del', KEYS[1]) end
local n = redis.call('llen', KEYS[2])
if n == 0 then redis.call('srem', KEYS[3], ARGV[2]) end
return n`;
// KEYS: seen1, inbox1, seen2, inbox2, …, pending. ARGV: ttl, json1, psid1, json2, psid2, …
// Returns the 1-based indexes of the events that were new (and are now queued).
const ENQUEUE = `local out = {}
local n = (#KEYS - 1) / 2
for i = 1, n do
  if redis.call('set', KEYS[i * 2 - 1], '1', 'EX', ARGV[1], 'NX') then
    redis.call('rpush', KEYS[i * 2], ARGV[i * 2])
    redis.call('sadd', KEYS[#KEYS], ARGV[i * 2 + 1])
    out[#out + 1] = i
  end
end
return out`;
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0`;

export function createTurnRunner(opts: TurnRunnerOptions): TurnRunner {
  const { redis, prefix, logger } = opts;
  // defineCommand: ioredis sends EVALSHA (the script text only once per connection), not EVAL per call
  redis.defineCommand('qsBotEnqueue', { lua: ENQUEUE });
  redis.defineCommand('qsBotRelease', { lua: RELEASE, numberOfKeys: 3 });
  redis.defineCommand('qsBotRenew', { lua: RENEW, numberOfKeys: 1 });
  const scripts = redis as unknown as Record<'qsBotEnqueue' | 'qsBotRelease' | 'qsBotRenew', (...args: Array<string | number>) => Promise<unknown>>;
  const lockMs = opts.lockMs ?? 30_000;
  const inboxKey = (psid: string) => `${prefix}:bot:inbox:${psid}`;
  const lockKey = (psid: string) => `${prefix}:bot:lock:${psid}`;
  const pendingKey = `${prefix}:bot:pending`;
  const seenKey = (dedupeKey: string) => `${prefix}:bot:seen:${dedupeKey}`;
  const maxConcurrent = opts.maxConcurrent ?? 16;
  const draining = new Map<string, Promise<void>>();
  const rerun = new Set<string>();
  const waiting = new Set<string>();
  let closed = false;

  async function drain(psid: string): Promise<void> {
    const token = randomUUID();
    const got = await redis.set(lockKey(psid), token, 'PX', lockMs, 'NX');
    if (got !== 'OK') return; // another drainer (maybe another process) holds this user
    const renew = setInterval(() => {
      scripts.qsBotRenew(lockKey(psid), token, String(lockMs)).catch(() => undefined);
    }, Math.floor(lockMs / 3));
    renew.unref();
    try {
      for (;;) {
        const raw = await redis.lindex(inboxKey(psid), 0);
        if (raw === null || closed) break;
        try {
          await opts.runTurn(JSON.parse(raw) as InboundEvent);
        } catch (err) {
          // runTurn apologizes itself; this is the last net so one bad event never blocks the inbox
          logger.error({ err, psid }, 'bot turn failed');
        }
        await redis.lpop(inboxKey(psid));
      }
    } finally {
      clearInterval(renew);
      const left = Number(await scripts.qsBotRelease(lockKey(psid), inboxKey(psid), pendingKey, token, psid));
      if (left > 0) rerun.add(psid);
    }
  }

  function kick(psid: string): void {
    if (draining.has(psid)) {
      rerun.add(psid); // the running drain makes one more pass, so nothing appended meanwhile is missed
      return;
    }
    if (draining.size >= maxConcurrent) {
      waiting.add(psid);
      return;
    }
    const p = (async () => {
      do {
        rerun.delete(psid);
        await drain(psid).catch((err) => logger.error({ err, psid }, 'bot drain failed'));
      } while (rerun.has(psid) && !closed);
    })().finally(() => {
      draining.delete(psid);
      const next = waiting.values().next();
      if (!next.done && !closed) {
        waiting.delete(next.value);
        kick(next.value);
      }
    });
    draining.set(psid, p);
  }

  // Safety net: inboxes left by a process that died holding a lock are drained once the lock expires.
  const sweeper = setInterval(() => {
    redis
      .smembers(pendingKey)
      .then((psids) => psids.filter((p) => !draining.has(p)).forEach(kick))
      .catch(() => undefined);
  }, opts.sweepMs ?? 5000);
  sweeper.unref();

  return {
    async enqueue(events) {
      if (!events.length) return [];
      const keys = events.flatMap((ev) => [seenKey(ev.dedupeKey), inboxKey(ev.psid)]);
      const args = events.flatMap((ev) => [JSON.stringify(ev), ev.psid]);
      const fresh = (await scripts.qsBotEnqueue(keys.length + 1, ...keys, pendingKey, String(opts.dedupeSeconds ?? 48 * 3600), ...args)) as number[];
      const accepted = fresh.map((i) => events[i - 1]!);
      for (const psid of new Set(accepted.map((e) => e.psid))) kick(psid);
      return accepted;
    },
    async idle() {
      while (draining.size) await Promise.allSettled([...draining.values()]);
    },
    /** Finish the turns running now; what is still queued stays in Redis for the next process. */
    async close() {
      closed = true;
      clearInterval(sweeper);
      await this.idle();
    },
  };
}

import type { RedisClient } from '../db/redis.js';

/**
 * Failed logins per client, counted in Redis so every web process shares the count: after `max`
 * failures within `windowMs` of the first one, the client is refused (429) until the window ends,
 * whatever it sends. Fail-closed: when Redis cannot count, logins are refused (503) rather than let
 * a key guesser through uncounted. A login without credentials (a browser's first request, before
 * it prompts) is not a failure.
 */
export type LoginGate = { ok: true } | { ok: false; status: 429 | 503; retryAfterSeconds: number };

export interface FailedLoginLimiter {
  check(client: string): Promise<LoginGate>;
  fail(client: string): Promise<void>;
}

const DOWN = new Set(['reconnecting', 'close', 'end']);
const UNAVAILABLE: LoginGate = { ok: false, status: 503, retryAfterSeconds: 30 };

export function createFailedLoginLimiter(opts: { redis: RedisClient; keyPrefix: string; max?: number; windowMs?: number }): FailedLoginLimiter {
  const max = opts.max ?? 10;
  const windowMs = opts.windowMs ?? 15 * 60_000;
  const key = (client: string) => `${opts.keyPrefix}${client}`;
  const down = () => DOWN.has(opts.redis.status);

  return {
    async check(client) {
      if (down()) return UNAVAILABLE;
      try {
        const [[, count], [, ttl]] = (await opts.redis.multi().get(key(client)).pttl(key(client)).exec()) as [[unknown, string | null], [unknown, number]];
        if (Number(count ?? 0) < max) return { ok: true };
        return { ok: false, status: 429, retryAfterSeconds: Math.max(1, Math.ceil(Number(ttl) / 1000)) };
      } catch {
        return UNAVAILABLE;
      }
    },
    async fail(client) {
      if (down()) return;
      // the window starts at the first failure (SET NX PX) and the count never extends it (INCR keeps the TTL)
      await opts.redis.multi().set(key(client), 0, 'PX', windowMs, 'NX').incr(key(client)).exec().catch(() => undefined);
    },
  };
}

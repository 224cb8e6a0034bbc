import type { RedisClient } from '../db/redis.js';
import type { Storage, StoreItems } from 'botbuilder';
import type { TurnLease } from './turn-lease.js';

/**
 * Botkit dialog state in Redis. Why Redis and not MySQL: a turn already runs under a Redis lock (one
 * round trip more, no migration, no row per abandoned chat), state is small JSON, and an abandoned
 * conversation simply expires. eTags are not checked: turns of one user never run concurrently
 * (see turn-runner.ts), which is what makes Botkit's `eTag: '*'` writes safe.
 */
export interface TurnStateStorage extends Storage {
  /**
   * The next write of `key` (a storage key, as botbuilder names it) goes out under the turn's lease, in one
   * step with its check (TurnLease.save): a run whose lease lapsed writes nothing. Until then the key is
   * guarded: `unguard` ends that and tells whether no write came (then nothing checked the lease).
   */
  guard(key: string, lease: TurnLease): void;
  unguard(key: string): boolean;
}

export function createRedisStorage(redis: RedisClient, prefix: string, ttlSeconds = 7 * 24 * 3600): TurnStateStorage {
  const key = (k: string) => `${prefix}:bot:state:${k}`;
  // one entry per user whose turn is saving now (a user's turns never overlap)
  const guarded = new Map<string, TurnLease>();
  return {
    async read(keys: string[]): Promise<StoreItems> {
      if (!keys.length) return {};
      const values = await redis.mget(keys.map(key));
      const items: StoreItems = {};
      keys.forEach((k, i) => {
        const v = values[i];
        if (v) items[k] = JSON.parse(v);
      });
      return items;
    },
    async write(changes: StoreItems): Promise<void> {
      const entries = Object.entries(changes);
      const leases = entries.map(([k]) => guarded.get(k)).filter((l) => l !== undefined);
      for (const [k] of entries) guarded.delete(k);
      // a turn saves one conversation's state: one SET (under its lease: one script), not MULTI + SET + EXEC
      if (entries.length === 1) {
        const [k, v] = entries[0]!;
        if (leases[0]) await leases[0].save(key(k), JSON.stringify(v), ttlSeconds);
        else await redis.set(key(k), JSON.stringify(v), 'EX', ttlSeconds);
        return;
      }
      for (const lease of leases) await lease.confirm();
      const multi = redis.multi();
      for (const [k, v] of entries) multi.set(key(k), JSON.stringify(v), 'EX', ttlSeconds);
      await multi.exec();
    },
    async delete(keys: string[]): Promise<void> {
      if (keys.length) await redis.del(...keys.map(key));
    },
    guard(k, lease) {
      guarded.set(k, lease);
    },
    unguard(k) {
      return guarded.delete(k);
    },
  };
}

import type { RedisClient } from '../db/redis.js';
import type { Storage, StoreItems } from 'botbuilder';

/**
 * Botkit dialog state in Redis. Why Redis and not MySQL: a turn already runs under a Redis lock (one
 * round trip more, no migration, no row per abandoned chat), state is small JSON, and an abandoned
 * conversation simply expires. eTags are not checked: turns of one user never run concurrently
 * (see turn-runner.ts), which is what makes Botkit's `eTag: '*'` writes safe.
 */
export function createRedisStorage(redis: RedisClient, prefix: string, ttlSeconds = 7 * 24 * 3600): Storage {
  const key = (k: string) => `${prefix}:bot:state:${k}`;
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
      // a turn saves one conversation's state: one SET, not MULTI + SET + EXEC (three commands for one write)
      if (entries.length === 1) {
        await redis.set(key(entries[0]![0]), JSON.stringify(entries[0]![1]), 'EX', ttlSeconds);
        return;
      }
      const multi = redis.multi();
      for (const [k, v] of entries) multi.set(key(k), JSON.stringify(v), 'EX', ttlSeconds);
      await multi.exec();
    },
    async delete(keys: string[]): Promise<void> {
      if (keys.length) await redis.del(...keys.map(key));
    },
  };
}

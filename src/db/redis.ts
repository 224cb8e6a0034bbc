import { Redis, type RedisOptions } from 'ioredis';

export class RedisUnavailableError extends Error {
  override name = 'RedisUnavailableError';
}

/** A Redis connection; BullMQ workers need maxRetriesPerRequest: null, callers pass that. */
export function createRedis(url: string, opts: RedisOptions = {}): Redis {
  return new Redis(url, { lazyConnect: false, connectTimeout: 5000, ...opts });
}

export function redisUnavailable(url: string, err: unknown): RedisUnavailableError {
  const host = new URL(url).host;
  return new RedisUnavailableError(
    `Redis at ${host} is not answering (${(err as Error)?.message ?? err}). Start it with:\n` +
      `  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no\n` +
      `or set REDIS_URL to a reachable server.`,
  );
}

/** One PING with a short timeout, for start-up checks and /readyz. */
export async function pingRedis(url: string, timeoutMs = 2000): Promise<void> {
  const r = new Redis(url, { lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  r.on('error', () => undefined);
  try {
    await r.connect();
    await r.ping();
  } catch (err) {
    throw redisUnavailable(url, err);
  } finally {
    r.disconnect();
  }
}

import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { isClusterUrl, parseClusterUrl, redisHosts } from './redis-url.js';

export { isClusterUrl, parseClusterUrl, redisHosts } from './redis-url.js';

/**
 * One Redis connection factory for the whole app, for a single server or a Redis Cluster.
 *
 * REDIS_URL is `redis://[user:pass@]host:port[/db]` (or `rediss://` for TLS) for one server, and
 * `redis+cluster://[user:pass@]host:port,host:port,…` (or `rediss+cluster://`) for a cluster: the nodes are
 * seeds, ioredis learns the rest of the cluster from them. On a cluster every multi-key command and Lua
 * script must touch keys of one slot: all our keys start with QUEUE_PREFIX, whose {hash tag} the config
 * requires for a cluster.
 */
export type RedisClient = Redis | Cluster;

export class RedisUnavailableError extends Error {
  override name = 'RedisUnavailableError';
}

export type CreateRedisOptions = RedisOptions;

/**
 * A connection (single server) or a cluster client. The options are those of a single connection;
 * for a cluster they apply to each node's connection, except the offline queue, the lazy connect and
 * the reconnect strategy and auto-pipelining, which belong to the cluster client. BullMQ workers need maxRetriesPerRequest:
 * null; callers pass that.
 */
export function createRedis(url: string, opts: CreateRedisOptions = {}): RedisClient {
  if (!isClusterUrl(url)) return new Redis(url, { lazyConnect: false, connectTimeout: 5000, ...opts });
  const target = parseClusterUrl(url);
  const { enableOfflineQueue, lazyConnect, retryStrategy, enableAutoPipelining, ...nodeOpts } = opts;
  const clusterOpts: ClusterOptions = {
    lazyConnect: lazyConnect ?? false,
    enableAutoPipelining: enableAutoPipelining ?? false,
    enableOfflineQueue: enableOfflineQueue ?? true,
    clusterRetryStrategy: retryStrategy ? (times) => retryStrategy(times) : retryStrategy,
    // a master that restarts answers CLUSTERDOWN / is refused for a moment: retry, then refresh the slot map
    retryDelayOnClusterDown: 300,
    retryDelayOnFailover: 300,
    slotsRefreshTimeout: 2000,
    redisOptions: {
      connectTimeout: 5000,
      ...nodeOpts,
      username: target.username,
      password: target.password,
      ...(target.tls ? { tls: {} } : {}),
    },
  };
  return new Cluster(target.nodes, clusterOpts);
}

export function redisUnavailable(url: string, err: unknown): RedisUnavailableError {
  const cluster = isClusterUrl(url);
  return new RedisUnavailableError(
    `Redis${cluster ? ' Cluster' : ''} at ${redisHosts(url)} is not answering (${(err as Error)?.message ?? err}). ` +
      (cluster
        ? 'Check that every master is up and the cluster state is ok (redis-cli -c -p PORT cluster info).\n'
        : 'Start it with:\n  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no\n') +
      `or set REDIS_URL to a reachable server.`,
  );
}

/** One PING with a short timeout, for start-up checks; on a cluster also its state, which must be ok. */
export async function pingRedis(url: string, timeoutMs = 2000): Promise<void> {
  const r = createRedis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  r.on('error', () => undefined);
  let timer: NodeJS.Timeout | undefined;
  try {
    const probe = (async () => {
      await r.connect();
      await r.ping();
      if (r instanceof Cluster) {
        const info = String(await r.cluster('INFO'));
        if (!/cluster_state:ok/.test(info)) throw new Error('cluster_state is not ok');
      }
    })();
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs + 500);
    });
    await Promise.race([probe, late]);
  } catch (err) {
    throw redisUnavailable(url, err);
  } finally {
    clearTimeout(timer);
    r.disconnect();
  }
}

/** The master nodes' connections (one for a single server), e.g. to SCAN every master or read INFO. */
export function masterConnections(redis: RedisClient): Redis[] {
  return redis instanceof Cluster ? redis.nodes('master') : [redis];
}

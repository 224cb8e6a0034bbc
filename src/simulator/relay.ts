import type { Logger } from 'pino';
import { createRedis, type RedisClient } from '../db/redis.js';
import type { NewItem } from './hub.js';

/**
 * Every chat item (what any process's fake Graph API received, what a person did on any web process's
 * page) delivered to the hub of every process. With ROLE=web and ROLE=worker side by side, the
 * notifications worker's sends land in the worker's own fake Graph API; Redis pub/sub carries them to
 * the web process that serves the page (and a page served by a second web process sees the same chat).
 * One channel per QUEUE_PREFIX, so two shops (or two test files) on one Redis do not see each other's.
 */
export interface PageMessage {
  psid: string;
  item: NewItem;
}

export interface Relay {
  publish(msg: PageMessage): Promise<void>;
  /** Who wrote a simulated comment (kept a week, as long as Meta allows its Private Reply). */
  rememberCommenter(commentId: string, psid: string): Promise<void>;
  commenterOf(commentId: string): Promise<string | null>;
  /** The command connection (not the subscriber), for the simulator's other shared state: its live videos. */
  redis: RedisClient;
  close(): Promise<void>;
}

export async function createRelay(opts: {
  redisUrl: string;
  channel: string;
  logger: Logger;
  onMessage(msg: PageMessage): void;
}): Promise<Relay> {
  const pub = createRedis(opts.redisUrl, { maxRetriesPerRequest: 1 });
  const sub = createRedis(opts.redisUrl);
  const warn = (err: Error) => opts.logger.warn({ err: err.message }, 'simulator: redis connection error');
  pub.on('error', warn);
  sub.on('error', warn);
  sub.on('message', (channel: string, data: string) => {
    if (channel !== opts.channel) return;
    try {
      opts.onMessage(JSON.parse(data) as PageMessage);
    } catch (err) {
      opts.logger.warn({ err: (err as Error).message }, 'simulator: unreadable relayed message');
    }
  });
  await sub.subscribe(opts.channel);
  // under the channel's name, so under the queue prefix's hash tag (one slot on a Redis Cluster)
  const commenterKey = (commentId: string) => `${opts.channel}:commenter:${commentId}`;
  const commenters = new Map<string, string>(); // this process's own, when Redis is away

  return {
    redis: pub,
    async publish(msg) {
      try {
        await pub.publish(opts.channel, JSON.stringify(msg));
      } catch {
        // Redis is away: this process's own page still shows it
        opts.onMessage(msg);
      }
    },
    async rememberCommenter(commentId, psid) {
      commenters.set(commentId, psid);
      if (commenters.size > 5000) commenters.delete(commenters.keys().next().value!);
      await pub.set(commenterKey(commentId), psid, 'EX', 7 * 24 * 3600).catch((err: Error) => opts.logger.warn({ err: err.message }, 'simulator: could not store a commenter'));
    },
    async commenterOf(commentId) {
      return commenters.get(commentId) ?? (await pub.get(commenterKey(commentId)).catch(() => null));
    },
    async close() {
      await Promise.all([sub.quit().catch(() => sub.disconnect()), pub.quit().catch(() => pub.disconnect())]);
    },
  };
}

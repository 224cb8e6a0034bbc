import { createHash } from 'node:crypto';
import type { RedisClient } from '../db/redis.js';

/**
 * Which replies a turn already sent, so that a turn run again (after a crash, or after an outage cut it
 * short) does not send them twice. A reply is keyed by the inbound event it answers, its place in the
 * turn (part index) and a hash of its content: the re-run turn takes the same path and skips what went
 * out, while a reply that changed meanwhile (e.g. stock moved) is sent.
 *
 * The crash window: the key is checked before the send and written after Graph accepted the reply. A
 * process that dies between Graph's answer and the write (about a millisecond) repeats that one reply on
 * the re-run; writing before the send would instead lose a reply whose send never happened. For chat
 * replies a rare repeat is the lesser harm (a lost reply leaves the customer without the buttons to go on).
 */
export interface ReplyLedger {
  key(inboundId: string, part: number | string, content: unknown): string;
  wasSent(key: string): Promise<boolean>;
  markSent(key: string): Promise<void>;
}

export function createReplyLedger(redis: RedisClient, prefix: string, outageDeadlineMs: number): ReplyLedger {
  // long enough for any re-run: a crashed drainer's lease plus the longest outage retry, with margin
  const ttlSeconds = Math.ceil(outageDeadlineMs / 1000) + 3600;
  return {
    key(inboundId, part, content) {
      const digest = createHash('sha256').update(JSON.stringify(content)).digest('hex').slice(0, 16);
      return `${prefix}:bot:sent:${inboundId}:${part}:${digest}`;
    },
    async wasSent(key) {
      return (await redis.exists(key)) === 1;
    },
    async markSent(key) {
      await redis.set(key, '1', 'EX', ttlSeconds);
    },
  };
}

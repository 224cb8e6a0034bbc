import type { FastifyPluginAsync } from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { verifySignature } from './signature.js';
import { parseWebhookBody, type InboundEvent } from './events.js';
import type { TurnRunner } from './turn-runner.js';

/**
 * GET /webhook: Messenger's subscription check. POST /webhook: raw-body HMAC-SHA256 check (403 and
 * nothing processed on a missing or wrong signature), then each event in order is de-duplicated
 * (Messenger redelivers) and appended to its user's inbox. The answer does not wait for any turn.
 */
export interface WebhookOptions {
  appSecret: string | undefined;
  verifyToken: string | undefined;
  redis: Redis;
  prefix: string;
  runner: TurnRunner;
  logger: Logger;
  dedupeSeconds?: number;
}

export function createWebhookPlugin(opts: WebhookOptions): FastifyPluginAsync {
  const ttl = opts.dedupeSeconds ?? 48 * 3600;

  /** Keeps events not seen before; SET NX marks each as seen for `ttl` seconds. */
  async function firstSightings(events: InboundEvent[]): Promise<InboundEvent[]> {
    if (!events.length) return [];
    const multi = opts.redis.multi();
    for (const ev of events) multi.set(`${opts.prefix}:bot:seen:${ev.dedupeKey}`, '1', 'EX', ttl, 'NX');
    const res = (await multi.exec()) ?? [];
    const seenInBatch = new Set<string>();
    return events.filter((ev, i) => {
      const fresh = res[i]?.[1] === 'OK' && !seenInBatch.has(ev.dedupeKey);
      seenInBatch.add(ev.dedupeKey);
      return fresh;
    });
  }

  return async (app) => {
    // The signature is over the exact bytes Messenger sent: keep the body raw in this plugin only.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 1024 * 1024 }, (_req, body, done) => done(null, body));

    app.get('/webhook', async (req, reply) => {
      const q = req.query as Record<string, string | undefined>;
      const token = q['hub.verify_token'];
      if (q['hub.mode'] === 'subscribe' && opts.verifyToken && token === opts.verifyToken) {
        return reply.type('text/plain').send(q['hub.challenge'] ?? '');
      }
      return reply.code(403).send({ error: 'verification failed' });
    });

    app.post('/webhook', async (req, reply) => {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const header = req.headers['x-hub-signature-256'];
      if (!opts.appSecret || !verifySignature(raw, typeof header === 'string' ? header : undefined, opts.appSecret)) {
        opts.logger.warn({ ip: req.ip }, 'webhook signature missing or wrong');
        return reply.code(403).send({ error: 'invalid signature' });
      }
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return reply.code(400).send({ error: 'body is not JSON' });
      }
      const events = await firstSightings(parseWebhookBody(body));
      try {
        await opts.runner.enqueue(events);
      } catch (err) {
        // not queued: forget the sightings so Messenger's redelivery (after our 500) is processed
        await opts.redis.del(...events.map((ev) => `${opts.prefix}:bot:seen:${ev.dedupeKey}`)).catch(() => undefined);
        throw err;
      }
      return reply.code(200).type('text/plain').send('EVENT_RECEIVED');
    });
  };
}

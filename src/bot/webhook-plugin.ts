import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import { verifySignature } from './signature.js';
import { parseWebhookBody } from './events.js';
import type { TurnRunner } from './turn-runner.js';

/**
 * GET /webhook: Messenger's subscription check. POST /webhook: raw-body HMAC-SHA256 check (403 and
 * nothing processed on a missing or wrong signature), then the events, in order, are de-duplicated
 * (Messenger redelivers) and appended to their users' inboxes. The answer does not wait for any turn.
 */
export interface WebhookOptions {
  appSecret: string | undefined;
  verifyToken: string | undefined;
  runner: TurnRunner;
  logger: Logger;
  /** counts the POST /webhook requests this process is handling (the turn runner yields to them) */
  inFlight?: { count: number };
}

export function createWebhookPlugin(opts: WebhookOptions): FastifyPluginAsync {
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

    if (opts.inFlight) {
      const load = opts.inFlight;
      // from the first byte to the answer, parsing included: what a burst of posts makes wait. The
      // response's 'close' comes once however it ends (answered, or the connection dropped)
      app.addHook('onRequest', async (req, reply) => {
        if (req.method !== 'POST') return;
        load.count += 1;
        reply.raw.once('close', () => (load.count -= 1));
      });
    }

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
      // de-duplicated and queued atomically in Redis; a failure is a 500 and Messenger redelivers
      await opts.runner.enqueue(parseWebhookBody(body));
      return reply.code(200).type('text/plain').send('EVENT_RECEIVED');
    });
  };
}

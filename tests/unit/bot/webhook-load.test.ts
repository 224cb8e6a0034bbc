import Fastify from 'fastify';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createWebhookPlugin } from '../../../src/bot/webhook-plugin.js';
import { signBody } from '../../../src/bot/signature.js';
import type { TurnRunner } from '../../../src/bot/turn-runner.js';

/** The count of POST /webhook requests in flight, which the turn runner yields to, never drifts. */
describe('the webhook load counter', () => {
  it('counts a post while it is handled and is back to zero after answered, refused and broken posts', async () => {
    const load = { count: 0 };
    const seen: number[] = [];
    const runner = { enqueue: async (events: unknown[]) => (seen.push(load.count), events) } as unknown as TurnRunner;
    const app = Fastify();
    await app.register(createWebhookPlugin({ appSecret: 's3cret', verifyToken: 'v', runner, logger: pino({ level: 'silent' }), inFlight: load }));
    const body = JSON.stringify({ object: 'page', entry: [] });
    const post = (payload: string, signature?: string) =>
      app.inject({ method: 'POST', url: '/webhook', payload, headers: { 'content-type': 'application/json', ...(signature ? { 'x-hub-signature-256': signature } : {}) } });
    expect((await post(body, signBody(body, 's3cret'))).statusCode).toBe(200);
    expect(seen).toEqual([1]);
    expect((await post(body)).statusCode).toBe(403);
    expect((await post('{not json', signBody('{not json', 's3cret'))).statusCode).toBe(400);
    await Promise.all([post(body, signBody(body, 's3cret')), post(body, signBody(body, 's3cret'))]);
    expect(load.count).toBe(0);
    expect((await app.inject({ method: 'GET', url: '/webhook?hub.mode=subscribe&hub.verify_token=v&hub.challenge=c' })).body).toBe('c');
    expect(load.count).toBe(0);
    await app.close();
  });
});

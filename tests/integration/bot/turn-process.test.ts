import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTurnRunner, type TurnRunner, type TurnRunnerOptions } from '../../../src/bot/turn-runner.js';
import { isTurnOutage } from '../../../src/bot/safe.js';
import type { InboundEvent } from '../../../src/bot/events.js';
import { buildApp, type App } from '../../../src/app.js';
import { eventually } from '../jobs/jobs-harness.js';
import { events, pageBody, postWebhook, startHarness, newPsid, type Harness } from './bot-harness.js';

/**
 * TURN_PROCESS=worker: the processes that ack the webhook run no turns; the processes that run turns learn of
 * new work from the ready list (turn-wake.ts), and their sweeper still finds a user whose wake was lost.
 */
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const logger = pino({ level: 'silent' });
let redis: Redis;
const runners: TurnRunner[] = [];
const prefixes: string[] = [];
beforeAll(() => {
  redis = new Redis(REDIS_URL);
});
afterAll(async () => {
  await Promise.all(runners.map((r) => r.close()));
  for (const p of prefixes) {
    const keys = await redis.keys(`${p}:*`); // a test prefix of this file only
    if (keys.length) await redis.del(...keys);
  }
  await redis.quit();
});

const event = (psid: string, text: string): InboundEvent => ({
  kind: 'text', psid, pageId: 'PAGE', timestamp: Date.now(), dedupeKey: `m:${randomUUID()}`, text, payload: null, attachments: [],
});
const newPrefix = () => {
  const p = `{test-tp-${randomUUID().slice(0, 8)}}`;
  prefixes.push(p);
  return p;
};
function runner(prefix: string, runTurn: (ev: InboundEvent) => Promise<void>, extra: Partial<TurnRunnerOptions>) {
  const r = createTurnRunner({
    redis, prefix, logger, runTurn, isRetryable: isTurnOutage, onDeadLetter: async () => undefined,
    lockMs: 600, sweepMs: 100, retryBackoffMs: 20, ...extra,
  });
  runners.push(r);
  return r;
}

describe('ack-only and turn processes (TURN_PROCESS=worker)', () => {
  it('the acking runner runs nothing; two turn runners drain every event once, each user in order', async () => {
    const prefix = newPrefix();
    const acked: string[] = [];
    const ack = runner(prefix, async (ev) => void acked.push(ev.text), { wake: true });
    const ran: InboundEvent[] = [];
    const turn = async (ev: InboundEvent) => {
      ran.push(ev);
      await new Promise((r) => setTimeout(r, Math.random() * 5)); // turns of one user overlap in time if the lock failed
    };
    runner(prefix, turn, { wake: true, listen: redis.duplicate() });
    runner(prefix, turn, { wake: true, listen: redis.duplicate() });
    const users = Array.from({ length: 8 }, (_, i) => `u${i}`);
    const sent: InboundEvent[] = [];
    for (let k = 0; k < 5; k++) {
      const batch = users.map((u) => event(u, `${u}-${k}`));
      sent.push(...batch);
      expect(await ack.enqueue(batch)).toHaveLength(batch.length);
    }
    await eventually(async () => ran.length === sent.length);
    expect(acked).toEqual([]);
    expect(new Set(ran.map((e) => e.dedupeKey)).size).toBe(sent.length);
    for (const u of users) expect(ran.filter((e) => e.psid === u).map((e) => e.text)).toEqual([0, 1, 2, 3, 4].map((k) => `${u}-${k}`));
    expect(await redis.llen(`${prefix}:bot:ready`)).toBe(0);
  });

  it('a wake taken by a process that died before draining: the sweeper of a turn process drains the user', async () => {
    const prefix = newPrefix();
    const ack = runner(prefix, async () => undefined, { wake: true });
    await ack.enqueue([event('lost-wake', 'hello')]);
    expect(await redis.lpop(`${prefix}:bot:ready`)).toBe('lost-wake'); // the wake is gone with "the dead process"
    const ran: string[] = [];
    runner(prefix, async (ev) => void ran.push(ev.text), { wake: true, listen: redis.duplicate() });
    await eventually(async () => ran.length === 1);
    expect(ran).toEqual(['hello']);
  });
});

describe('the app with TURN_PROCESS=worker', () => {
  let h: Harness;
  let turns: App | null = null;
  beforeAll(async () => {
    h = await startHarness({ ownDatabase: true, overrides: { TURN_PROCESS: 'worker', TURN_SWEEP_MS: '100' } });
  });
  afterAll(async () => {
    await turns?.close();
    await h.close();
  });

  it('ROLE=web acks and answers nothing; a ROLE=worker process answers the chat', async () => {
    const psid = newPsid();
    const res = await postWebhook(h.app, pageBody(events.text(psid, 'help')));
    expect(res.statusCode).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(h.graph.sentTo(psid)).toEqual([]); // queued in Redis, no turn ran in the web process
    turns = await buildApp(h.app.config, { web: false, workers: true, logger });
    await turns.start();
    expect(turns.http).toBeNull();
    await eventually(async () => h.graph.sentTo(psid).length > 0);
    const again = await postWebhook(h.app, pageBody(events.text(psid, 'menu')));
    expect(again.statusCode).toBe(200);
    const before = h.graph.sentTo(psid).length;
    await eventually(async () => h.graph.sentTo(psid).length > before);
  });
});

describe('one process that acks and runs turns with TURN_PROCESS=worker (ROLE=all)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ workers: true, overrides: { TURN_PROCESS: 'worker' } });
  });
  afterAll(async () => {
    await h.close();
  });

  it('answers through the ready list like a worker would, in order', async () => {
    const psid = newPsid();
    for (const text of ['help', 'menu']) expect((await postWebhook(h.app, pageBody(events.text(psid, text)))).statusCode).toBe(200);
    await eventually(async () => h.graph.sentTo(psid).length >= 2);
    const texts = h.graph.sentTo(psid).map((m) => m.body.message?.text ?? '');
    expect(texts[0]).toMatch(/^Here is what I can do/); // "help" answered first, then "menu"
    expect(texts.slice(1).some((t) => /^Here is what I can do/.test(t))).toBe(false);
  });
});

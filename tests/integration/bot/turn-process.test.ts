import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../../src/app.js';
import { eventually } from '../jobs/jobs-harness.js';
import { events, pageBody, postWebhook, startHarness, newPsid, type Harness } from './bot-harness.js';

/**
 * TURN_PROCESS=worker in the app: the processes that ack the webhook run no turns, worker processes answer
 * (the runner's side, with a lost wake, is in turn-runner.test.ts).
 */
const logger = pino({ level: 'silent' });
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

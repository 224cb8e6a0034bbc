import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, newPsid, pageBody, postWebhook, startHarness, type Harness } from './bot-harness.js';

/**
 * A turn that runs past TURN_TIMEOUT_MS (Graph is slow for this customer) is not abandoned: the user's
 * next event waits until it has really ended, so two turns of one user never run side by side.
 */
describe('when a turn runs past the turn timeout', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ overrides: { TURN_TIMEOUT_MS: '200', TURN_LOCK_MS: '600', SEND_API_TIMEOUT_MS: '5000' } });
  });
  afterAll(() => h?.close());

  it('keeps the next event of that user waiting until it ends, and says no apology', async () => {
    const psid = newPsid();
    const log: string[] = []; // Graph's view: when each request arrived and when it was answered
    h.graph.events.on('request', ({ body }: { body: string }) => body.includes(psid) && log.push(`in ${JSON.parse(body).message?.text?.slice(0, 12)}`));
    h.graph.events.on('message', (m) => m.body.recipient.id === psid && log.push(`out ${m.body.message?.text?.slice(0, 12)}`));
    h.graph.setDelayFor(psid, 1500); // each reply takes longer than the turn timeout and two leases
    expect((await postWebhook(h.app, pageBody(events.postback(psid, 'Help', 'HELP')))).statusCode).toBe(200);
    expect((await postWebhook(h.app, pageBody(events.postback(psid, 'Menu', 'MENU')))).statusCode).toBe(200);
    await h.graph.waitFor(() => h.graph.sentTo(psid).length >= 2, 20_000);
    await h.app.bot!.idle();
    h.graph.setDelayFor(psid, 0);
    expect(log).toEqual(['in Here is what', 'out Here is what', 'in Hi! Welcome ', 'out Hi! Welcome ']);
    const metrics = (await h.app.metrics.render()).body;
    expect(metrics).toMatch(/^quicksell_bot_turn_overruns_total [1-9]/m);
  });
});

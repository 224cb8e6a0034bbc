import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedMessage } from '../../../src/simulator/fake-graph.js';
import { startFakeGraph, type FakeGraph } from '../../../src/simulator/fake-graph.js';
import { events, newPsid, pageBody, postWebhook, startHarness, type Harness } from './bot-harness.js';
import { privateDatabase } from '../../helpers/private-database.js';
import { eventually } from '../jobs/jobs-harness.js';

/**
 * A Redis master restarts (or fails over) in the middle of a turn and comes back without the turn's recent
 * writes: the user's lock and what the reply ledger had recorded are gone, the inbox (written earlier) is
 * still there. Another web process takes the user over and runs the turn again while the first run is
 * still waiting for Graph to answer its second reply. Found by `npm run chaos` (replies seen twice after
 * an 8 s master restart). The customer must still get each reply exactly once.
 */
describe('when the turn lease and the reply ledger are lost in Redis mid-turn', () => {
  let graph: FakeGraph;
  let database: { url: string; drop(): Promise<void> };
  let first: Harness;
  let second: Harness;
  const prefix = `{test-lease-${Math.random().toString(36).slice(2, 8)}}`;

  beforeAll(async () => {
    graph = await startFakeGraph();
    database = await privateDatabase();
    const overrides = { DATABASE_URL: database.url, TURN_LOCK_MS: '3000', TURN_SWEEP_MS: '200', SEND_API_TIMEOUT_MS: '3000' };
    [first, second] = await Promise.all([
      startHarness({ graph, queuePrefix: prefix, overrides }),
      startHarness({ graph, queuePrefix: prefix, overrides }),
    ]);
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
    await graph?.close();
    await database?.drop();
  });

  it('the re-run sends no reply the first run sent or was sending', async () => {
    const psid = newPsid();
    const texts = (msgs: RecordedMessage[]) => msgs.map((m) => m.body.message?.text ?? '');
    const redis = first.app.redis;
    // the turn: "That cart is no longer available." then the empty-cart message
    graph.events.on('message', (m: RecordedMessage) => {
      if (m.psid === psid && graph.sentTo(psid).length === 1) graph.setDelayFor(psid, 1500); // the second reply is slow
    });
    let lost = false;
    const wiped = new Promise<void>((resolve) => {
      graph.events.on('request', ({ body }: { body: string }) => {
        if (lost || !body.includes(psid) || graph.sentTo(psid).length !== 1) return;
        lost = true; // the second reply is on its way to Graph: Redis now loses the lock and the ledger's marks
        void (async () => {
          const keys = [`${prefix}:bot:lock:${psid}`, ...(await redis.keys(`${prefix}:bot:sent:*`))];
          await redis.del(...keys);
          resolve();
        })();
      });
    });
    // only the first process takes the event (the second's sweeper finds the user's lock held until the wipe)
    const res = await postWebhook(first.app, pageBody(events.postback(psid, 'Place order', 'PLACE_ORDER:999999999')));
    expect(res.statusCode).toBe(200);
    await wiped;

    await eventually(async () => (await redis.llen(`${prefix}:bot:inbox:${psid}`)) === 0 && (await redis.exists(`${prefix}:bot:lock:${psid}`)) === 0, 30_000, 'the inbox drained');
    await Promise.all([first.app.bot!.idle(), second.app.bot!.idle()]);
    graph.setDelayFor(psid, 0);
    const sent = texts(graph.sentTo(psid));
    expect(sent[0]).toBe('That cart is no longer available.');
    expect(sent).toHaveLength(2);
    expect(sent[1]).not.toBe(sent[0]);
    expect(sent.filter((t) => /Sorry/.test(t))).toEqual([]);
  }, 60_000);
});

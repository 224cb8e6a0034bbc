import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedMessage } from '../../../src/simulator/fake-graph.js';
import { startFakeGraph, type FakeGraph } from '../../../src/simulator/fake-graph.js';
import { Chat, events, newPsid, pageBody, postWebhook, startHarness, type Harness } from './bot-harness.js';
import { addByName, ADDRESS } from './shopper.js';
import { makeProduct } from '../../helpers/factories.js';
import { privateDatabase } from '../../helpers/private-database.js';
import { eventually } from '../jobs/jobs-harness.js';
import { testPrefix } from '../../helpers/test-prefix.js';

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
  const prefix = testPrefix('lease');

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

describe('when a turn ran to its end but its event was not popped (Redis restarting at that moment)', () => {
  let h: Harness;
  const prefix = testPrefix('unpopped');
  beforeAll(async () => {
    h = await startHarness({ ownDatabase: true, queuePrefix: prefix, overrides: { TURN_SWEEP_MS: '200' } });
  });
  afterAll(() => h?.close());

  it('the event, coming round again, is not answered again', async () => {
    const { graph } = h;
    const redis = h.app.redis;
    const name = `Rerun Rice ${Math.random().toString(36).slice(2, 6)}`;
    await makeProduct(h.app.db, { name, stock: 10 });
    const chat = new Chat(h);
    await addByName(chat, name, 1);
    await chat.postback('CHECKOUT', 'Checkout');
    for (const answer of [ADDRESS.name, ADDRESS.phone, ADDRESS.address, ADDRESS.city]) await chat.say(answer);
    // catch the province tap as it sits at the head of the inbox while its turn answers
    const inbox = `${prefix}:bot:inbox:${chat.psid}`;
    let raw: string | null = null;
    const peek = ({ body }: { body: string }) => {
      if (body.includes(chat.psid) && body.includes('Postal code')) void redis.lindex(inbox, 0).then((v) => (raw ??= v));
    };
    graph.events.on('request', peek);
    await chat.tap(/Metro Manila/);
    graph.events.off('request', peek);
    expect(chat.lastText()).toMatch(/Postal code/);
    await eventually(async () => raw !== null, 5000, 'the province tap seen in the inbox');
    const before = chat.all().length;

    // its pop was lost: the event is back at the head, and a drainer takes it again
    await redis.lpush(inbox, raw!);
    await redis.sadd(`${prefix}:bot:pending`, chat.psid);
    await eventually(async () => (await redis.llen(inbox)) === 0, 20_000, 'the event drained again');
    await h.app.bot!.idle();
    expect(chat.texts(chat.all().slice(before))).toEqual([]); // old code: "Please enter the 4-digit postal code…" and the question again

    await chat.say(ADDRESS.postal);
    expect(chat.lastText()).toMatch(/How would you like to pay/);
  }, 60_000);
});

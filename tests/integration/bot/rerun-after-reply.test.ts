import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Chat, startHarness, type Harness } from './bot-harness.js';
import { addByName, answerAddress } from './shopper.js';
import { makeProduct } from '../../helpers/factories.js';
import { eventually } from '../jobs/jobs-harness.js';
import { testPrefix } from '../../helpers/test-prefix.js';

/**
 * A turn run again after its first run's reply went out: the first run died or hit an outage after the
 * send, before the dialog state was saved (`npm run chaos`: a SIGKILL, a Redis master restart or a MariaDB
 * restart at that moment).
 */
let h: Harness;
const prefix = testPrefix('rerun-reply');
beforeAll(async () => {
  // a claim by another run is taken as "maybe delivered" SEND_API_TIMEOUT_MS + 2 s after it was made
  h = await startHarness({ queuePrefix: prefix, overrides: { TURN_SWEEP_MS: '200', SEND_API_TIMEOUT_MS: '500' } });
});
afterAll(() => h?.close());

const redis = () => h.app.redis;
const inbox = (psid: string) => `${prefix}:bot:inbox:${psid}`;

/** The user's dialog state as stored (Botkit's conversation state key holds the PSID). */
async function stateOf(psid: string): Promise<Record<string, string | null>> {
  const keys = (await redis().keys(`${prefix}:bot:state:*`)).filter((k) => k.includes(psid));
  const out: Record<string, string | null> = {};
  for (const k of keys) out[k] = await redis().get(k);
  return out;
}

/** The raw inbox entry of the turn whose reply matches `text`, caught at the head while the turn answers. */
function catchHead(psid: string, text: string): { raw: () => string | null; stop(): void } {
  let raw: string | null = null;
  const peek = ({ body }: { body: string }) => {
    if (body.includes(psid) && body.includes(text)) void redis().lindex(inbox(psid), 0).then((v) => (raw ??= v));
  };
  h.graph.events.on('request', peek);
  return { raw: () => raw, stop: () => h.graph.events.off('request', peek) };
}

describe('when the promo answer runs again after its summary went out, and the stock sold out meanwhile', () => {
  it('does not answer that tap a second time: the customer sees "out of stock" once, for Place order', async () => {
    const name = `Last Lamp ${Math.random().toString(36).slice(2, 6)}`;
    const productId = await makeProduct(h.app.db, { name, stock: 1 });
    const chat = new Chat(h);
    await addByName(chat, name, 1);
    await chat.postback('CHECKOUT', 'Checkout');
    await answerAddress(chat);
    await chat.tap(/Cash on delivery/);
    expect(chat.lastText()).toMatch(/promo code/);
    const before = await stateOf(chat.psid);

    const head = catchHead(chat.psid, 'Please check your order');
    await chat.tap(/No promo code/);
    head.stop();
    expect(chat.lastText()).toMatch(/^Please check your order/);
    await eventually(async () => head.raw() !== null, 5000, 'the promo tap seen in the inbox');
    const seen = chat.all().length;

    // someone else bought the last unit
    await h.app.db.query('UPDATE products SET stock_quantity = 0 WHERE id = ?', [productId]);
    // what a crash or an outage right after the summary's send leaves: the reply claimed and delivered,
    // the state from before the turn, the event at the head of the inbox; a drainer takes it again
    for (const [k, v] of Object.entries(before)) await redis().set(k, v!);
    await redis().lpush(inbox(chat.psid), head.raw()!);
    await redis().sadd(`${prefix}:bot:pending`, chat.psid);
    await eventually(async () => (await redis().llen(inbox(chat.psid))) === 0, 20_000, 'the re-run drained');
    await h.app.bot!.idle();
    // old code: the re-run answered the same tap again, now with "Sorry, we don't have enough stock …"
    expect(chat.texts(chat.all().slice(seen))).toEqual([]);

    await chat.tap(/Place order/);
    const after = chat.texts(chat.all().slice(seen));
    expect(after).toHaveLength(1);
    expect(after[0]).toMatch(/^Sorry, we don't have enough stock/);
  }, 60_000);
});

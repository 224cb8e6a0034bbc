import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Chat, startHarness, type Harness } from './bot-harness.js';
import { addByName } from './shopper.js';
import { makeProduct } from '../../helpers/factories.js';
import { eventually } from '../jobs/jobs-harness.js';
import { testPrefix } from '../../helpers/test-prefix.js';

/**
 * A run that loses its lease after its last reply (Redis unreachable longer than the lease, the process
 * paused): another run has the user and runs the event from the state it started from. The first run
 * must not save its dialog state on top (Botkit saves at the turn's end, and in beginDialog) nor pop.
 */
let h: Harness;
const prefix = testPrefix('lease-save');
beforeAll(async () => {
  // a claim by another run is taken as "maybe delivered" SEND_API_TIMEOUT_MS + 2 s after it was made
  h = await startHarness({ queuePrefix: prefix, overrides: { TURN_SWEEP_MS: '200', SEND_API_TIMEOUT_MS: '500' } });
});
afterAll(() => h?.close());

const redis = () => h.app.redis;
const inbox = (psid: string) => `${prefix}:bot:inbox:${psid}`;
const lock = (psid: string) => `${prefix}:bot:lock:${psid}`;

/** The user's dialog state as stored (Botkit's conversation state key holds the PSID). */
async function stateOf(psid: string): Promise<Record<string, string | null>> {
  const keys = (await redis().keys(`${prefix}:bot:state:*`)).filter((k) => k.includes(psid));
  const out: Record<string, string | null> = {};
  for (const k of keys) out[k] = await redis().get(k);
  return out;
}

describe('when a run loses its lease after its last reply (another process took the user over)', () => {
  it('saves no dialog state and pops nothing; the run that has the user finishes the turn, replying once', async () => {
    const name = `Lease Lamp ${Math.random().toString(36).slice(2, 6)}`;
    await makeProduct(h.app.db, { name, stock: 5 });
    const chat = new Chat(h);
    await addByName(chat, name, 1);
    const before = await stateOf(chat.psid);
    // the one reply of the Checkout tap is on its way: now another run holds the user's lock
    const taken = (body: string) => body.includes(chat.psid) && body.includes('Who should we deliver to');
    const takeOver = ({ body }: { body: string }) => {
      if (taken(body)) void redis().set(lock(chat.psid), 'another-run', 'PX', 60_000);
    };
    h.graph.events.on('request', takeOver);
    await chat.postback('CHECKOUT', 'Checkout');
    h.graph.events.off('request', takeOver);
    expect(chat.texts().filter((t) => /Who should we deliver to/.test(t))).toHaveLength(1);

    // old code: the dialog state saved (in the checkout dialog) and the event popped
    expect(await redis().llen(inbox(chat.psid))).toBe(1);
    expect(await stateOf(chat.psid)).toEqual(before);

    // the other run ends (its lock goes): the event runs again, its reply is not sent again
    await redis().del(lock(chat.psid));
    await eventually(async () => (await redis().llen(inbox(chat.psid))) === 0, 20_000, 'the event drained again');
    await h.app.bot!.idle();
    expect(chat.texts().filter((t) => /Who should we deliver to/.test(t))).toHaveLength(1);
    await chat.say('Juan Dela Cruz');
    expect(chat.lastText()).toMatch(/Mobile number/);
  }, 60_000);
});

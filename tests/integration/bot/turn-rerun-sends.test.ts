import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProduct } from '../../helpers/factories.js';
import { Chat, newPsid, type Harness } from './bot-harness.js';
import { buttonOf, commentValue, newPost, postComments, replyTo, startLive, startSale, waitForReplyPsid } from './live-harness.js';

/**
 * Messages a turn sends around Botkit (the handover's, the live sale's "in your cart") go through the
 * reply ledger like dialog replies: when Graph answers "try again" part-way through a turn, the turn runs
 * again and nobody is told anything twice, and nothing the first run failed to send is lost.
 */
const ADMIN = newPsid();
const TEMPORARY = { status: 500, error: { message: 'An unexpected error has occurred. Please retry your request later.', code: 2 } };
let h: Harness;
beforeAll(async () => {
  h = await startLive({ adminPsids: [ADMIN], overrides: { TURN_RETRY_BACKOFF_MS: '100' } });
});
afterAll(() => h.close());

describe('when a handover turn is cut short by a temporary Graph error and runs again', () => {
  it('tells the customer and alerts the admins once, and passes the thread once', async () => {
    const customer = new Chat(h);
    const admin = new Chat(h, ADMIN);
    h.graph.failNextHandover(TEMPORARY); // the customer has been told, pass_thread_control fails: the turn is retried
    await customer.postback('TALK_TO_PERSON', '💬 Talk to a person');
    await h.app.bot!.idle();
    expect(customer.texts().filter((t) => /A person from .* will answer you here soon/.test(t))).toHaveLength(1);
    expect(h.graph.handovers.filter((x) => x.body.recipient?.id === customer.psid && x.action === 'pass_thread_control')).toHaveLength(1);
    expect(admin.texts().filter((t) => t.includes('wants a person'))).toHaveLength(1);
  });
});

describe('when the "in your cart" message of a live claim fails for a moment', () => {
  it('sends it on the turn run again, once', async () => {
    // stock 5: no low-stock alert to the admin whose send could take the scripted failure
    const p = await makeProduct(h.app.db, { stock: 5, name: 'Rerun ring', price: '75.00' });
    const postId = newPost();
    await startSale(h.app, postId, [{ code: 'R1', product_id: p }]);
    const psid = newPsid();
    const c = commentValue({ postId, from: 'fb-rerun', message: 'mine R1' });
    h.graph.registerComment(c.comment_id, psid);
    await postComments(h.app, c);
    await waitForReplyPsid(h, c.comment_id);
    const button = buttonOf(replyTo(h, c.comment_id)[0]!)!;
    const buyer = new Chat(h, psid);
    h.graph.failNext(TEMPORARY); // the first send of the buyer's turn: "In your cart from the live sale"
    await buyer.postback(button.payload, button.title);
    await h.app.bot!.idle();
    expect(buyer.texts().filter((t) => t.includes('In your cart from the live sale:\nR1 Rerun ring'))).toHaveLength(1);
    // and a later message of the buyer does not bring it again
    await buyer.say('hi');
    expect(buyer.texts().filter((t) => t.includes('In your cart from the live sale'))).toHaveLength(1);
  });
});

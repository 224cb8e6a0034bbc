import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProduct } from '../../helpers/factories.js';
import { Chat, newPsid, type Harness } from './bot-harness.js';
import { buttonOf, commentValue, LIVE_KEY, newPost, postComments, query, replyTo, startLive, startSale, waitForReplyPsid } from './live-harness.js';

/**
 * An order made from a live-sale hold is cancelled or expires while the sale is live: its unit goes to
 * the next buyer on the waitlist, by the same rule as an expired hold (told in Messenger when they wrote
 * to the Page since, else held for their answer). Through signed feed and messaging webhooks.
 */
let h: Harness;
beforeAll(async () => {
  h = await startLive({ overrides: { LIVE_HOLD_MINUTES: '10' } });
});
afterAll(() => h.close());

const auth = { authorization: `Bearer ${LIVE_KEY}`, 'content-type': 'application/json' };
const address = { recipient_name: 'Buyer', phone: '09171234567', address: '1 Rizal St', city: 'Manila', province: 'Metro Manila', postal_code: '1000' };

/** A buyer comments, answers their private reply (the tap shows the cart) and returns a Chat. */
async function comment(postId: string, code: string, who: string): Promise<{ chat: Chat; commentId: string }> {
  const psid = newPsid();
  const c = commentValue({ postId, from: who, message: `mine ${code}` });
  h.graph.registerComment(c.comment_id, psid);
  await postComments(h.app, c);
  await waitForReplyPsid(h, c.comment_id);
  return { chat: new Chat(h, psid), commentId: c.comment_id };
}

async function answer(b: { chat: Chat; commentId: string }): Promise<void> {
  const button = buttonOf(replyTo(h, b.commentId)[0]!)!;
  await b.chat.postback(button.payload, button.title);
}

/** The buyer's cart (with the held line) becomes an order. */
async function order(b: { chat: Chat }, productId: number): Promise<number> {
  const [cart] = await query(h.app, `SELECT c.id, u.id AS user_id FROM carts c JOIN users u ON u.id = c.user_id WHERE u.psid = ? AND c.status = 'open'`, [b.chat.psid]);
  const r = await h.app.orders.createOrder(
    { user_id: Number(cart!.user_id), items: [{ product_id: productId, quantity: 1 }], payment_method: 'cod', shipping_address: address },
    { cart_id: Number(cart!.id) },
  );
  if (!r.success) throw new Error(`order failed: ${r.error}`);
  return r.order.id;
}

const claim = async (commentId: string) => String((await query(h.app, 'SELECT status FROM live_claims WHERE comment_id = ?', [commentId]))[0]!.status);
const available = async (p: number) => Number((await query(h.app, 'SELECT stock_quantity - reserved_quantity AS n FROM products WHERE id = ?', [p]))[0]!.n);

describe('when an order made from a live hold is cancelled while the sale is live', () => {
  it('gives the unit to the next buyer on the waitlist, who is told in Messenger', async () => {
    const p = await makeProduct(h.app.db, { stock: 1, name: 'Cancel cap', price: '100.00' });
    const postId = newPost();
    await startSale(h.app, postId, [{ code: 'K1', product_id: p }]);
    const ana = await comment(postId, 'K1', 'fb-rel-ana');
    const ben = await comment(postId, 'K1', 'fb-rel-ben');
    await answer(ana);
    await answer(ben); // "Keep me posted": the Page may write to Ben now
    const orderId = await order(ana, p);
    expect(await claim(ana.commentId)).toBe('checked_out');

    const res = await h.app.http!.inject({ method: 'POST', url: `/api/orders/${orderId}/cancel`, headers: auth, payload: { reason: 'changed my mind' } });
    expect(res.statusCode).toBe(200);
    expect([await claim(ana.commentId), await claim(ben.commentId), await available(p)]).toEqual(['released', 'held', 0]);
    await h.graph.waitFor((msgs) => msgs.some((m) => m.psid === ben.chat.psid && /Good news! K1 Cancel cap ₱100\.00 freed up/.test(m.body.message?.text ?? '')), 15_000);
    // Ben's hold has its own expiry job, like any hold
    const [held] = await query(h.app, 'SELECT id FROM live_claims WHERE comment_id = ?', [ben.commentId]);
    expect(await h.app.jobs.queues['live-holds'].getJob(`hold-${String(held!.id)}`)).toBeTruthy();
    const [sale] = await query(h.app, 'SELECT id FROM live_sales WHERE post_id = ?', [postId]);
    const tally = await h.app.live.getSale(Number(sale!.id));
    expect(tally!.codes[0]).toMatchObject({ code: 'K1', claimed: 1, waitlist: 0, checked_out: 0 });
  });
});

describe('when an order made from a live hold expires while the sale is live', () => {
  it('holds the unit for the next buyer, silently when they have not written to the Page', async () => {
    const p = await makeProduct(h.app.db, { stock: 1, name: 'Expire scarf', price: '120.00' });
    const postId = newPost();
    await startSale(h.app, postId, [{ code: 'X1', product_id: p }]);
    const dee = await comment(postId, 'X1', 'fb-rel-dee');
    const eve = await comment(postId, 'X1', 'fb-rel-eve');
    await answer(dee);
    const orderId = await order(dee, p);
    const sentBefore = h.graph.sentTo(eve.chat.psid).filter((m) => !('comment_id' in m.body.recipient)).length;
    expect(await h.app.orders.expireOrder(orderId)).toMatchObject({ success: true, order_status: 'expired' });
    expect([await claim(dee.commentId), await claim(eve.commentId), await available(p)]).toEqual(['expired', 'held', 0]);
    expect(h.graph.sentTo(eve.chat.psid).filter((m) => !('comment_id' in m.body.recipient))).toHaveLength(sentBefore);
    await answer(eve);
    expect(eve.chat.texts().join('\n')).toMatch(/In your cart from the live sale:\nX1 Expire scarf/);
  });

  it('leaves the waitlist alone once the sale has stopped: the unit goes back on the shelf', async () => {
    const p = await makeProduct(h.app.db, { stock: 1, name: 'Stopped belt', price: '90.00' });
    const postId = newPost();
    const { body } = await startSale(h.app, postId, [{ code: 'Y1', product_id: p }]);
    const fay = await comment(postId, 'Y1', 'fb-rel-fay');
    const gus = await comment(postId, 'Y1', 'fb-rel-gus');
    await answer(fay);
    const orderId = await order(fay, p);
    await h.app.live.stopSale(body.id, 'test');
    expect(await h.app.orders.cancelOrder(orderId, 'no longer wanted', 'test')).toMatchObject({ success: true });
    expect([await claim(fay.commentId), await claim(gus.commentId), await available(p)]).toEqual(['released', 'waitlisted', 1]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProduct } from '../../helpers/factories.js';
import { eventually } from '../jobs/jobs-harness.js';
import { Chat, newPsid, type Harness } from './bot-harness.js';
import { buttonOf, commentValue, LIVE_KEY, PAGE_ID, newPost, postComments, privateReplies, query, replyTo, startLive, startSale, textOf } from './live-harness.js';

const ADMIN = newPsid();
let h: Harness;
beforeAll(async () => {
  h = await startLive({ adminPsids: [ADMIN] });
});
afterAll(() => h.close());

const waitReplies = (n: number) => h.graph.waitFor(() => privateReplies(h).length >= n, 15_000);

describe('setting up a live sale through the API', () => {
  it('answers 201 live, reads the tally in units, refuses bad input and stops with a summary', async () => {
    const p = await makeProduct(h.app.db, { stock: 4, name: 'Blue dress', price: '350.00' });
    const postId = newPost();
    const bad = await startSale(h.app, postId, [{ code: 'M1', product_id: p }, { code: 'm1', product_id: p }]);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ success: false, code: 'VALIDATION_FAILED' });
    const ok = await startSale(h.app, postId, [{ code: 'M1', product_id: p }]);
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ success: true, status: 'live' });
    const auth = { authorization: `Bearer ${LIVE_KEY}` };
    const got = await h.app.http!.inject({ method: 'GET', url: `/api/live-sales/${ok.body.id}`, headers: auth });
    expect(got.json()).toMatchObject({ success: true, post_id: postId, status: 'live', codes: [{ code: 'M1', product_id: p, stock: 4, claimed: 0, waitlist: 0 }] });
    const stop = await h.app.http!.inject({ method: 'POST', url: `/api/live-sales/${ok.body.id}/stop`, headers: auth });
    expect(stop.json()).toMatchObject({ success: true, status: 'stopped' });
    const again = await h.app.http!.inject({ method: 'POST', url: `/api/live-sales/${ok.body.id}/stop`, headers: auth });
    expect(again.statusCode).toBe(409);
    const none = await h.app.http!.inject({ method: 'GET', url: '/api/live-sales/999999999', headers: auth });
    expect(none.statusCode).toBe(404);
    const anon = await h.app.http!.inject({ method: 'POST', url: '/api/live-sales', payload: {} });
    expect(anon.statusCode).toBe(401);
  });
});

describe('when buyers comment on a live sale post', () => {
  it('sends exactly one private reply per comment, ignores repeats, edits, other posts and the Page itself', async () => {
    const p = await makeProduct(h.app.db, { stock: 1, name: 'Blue dress', price: '350.00' });
    const postId = newPost();
    await startSale(h.app, postId, [{ code: 'M1', product_id: p }]);
    const before = privateReplies(h).length;
    const first = commentValue({ postId, from: 'fb-ana', message: 'mine M1' });
    const second = commentValue({ postId, from: 'fb-ben', message: 'Mine m1' });
    await postComments(h.app, first, second);
    await postComments(h.app, first); // Facebook redelivers
    await postComments(
      h.app,
      commentValue({ postId, from: 'fb-cy', message: 'mine M1', verb: 'edited' }),
      commentValue({ postId, from: PAGE_ID, message: 'mine M1' }),
      commentValue({ postId: newPost(), from: 'fb-dee', message: 'mine M1' }),
      commentValue({ postId, from: 'fb-eve', message: 'nice dress' }),
      commentValue({ postId, from: 'fb-fay', message: 'how much M1?' }),
    );
    await waitReplies(before + 3);
    await new Promise((r) => setTimeout(r, 300));
    expect(privateReplies(h).length).toBe(before + 3);
    const won = replyTo(h, first.comment_id);
    expect(won).toHaveLength(1);
    expect(textOf(won[0]!)).toBe('You got M1 Blue dress ₱350.00 🎉 Reply here to check out within 30 min.');
    expect(buttonOf(won[0]!)).toMatchObject({ title: '🛒 Check out', payload: expect.stringMatching(/^LIVE_CLAIM:\d+$/) });
    expect(textOf(replyTo(h, second.comment_id)[0]!)).toMatch(/sold out — you are #1 on the waitlist/);
    const [stock] = await query(h.app, 'SELECT stock_quantity - reserved_quantity AS available FROM products WHERE id = ?', [p]);
    expect(Number(stock!.available)).toBe(0);
  });

  it('puts the held item in the cart when the buyer taps the private reply, and the order keeps the unit', async () => {
    const p = await makeProduct(h.app.db, { stock: 1, name: 'Red bag', price: '500.00' });
    const postId = newPost();
    await startSale(h.app, postId, [{ code: 'B1', product_id: p }]);
    const psid = newPsid();
    const c = commentValue({ postId, from: 'fb-gia', message: 'mine B1' });
    h.graph.registerComment(c.comment_id, psid);
    const before = privateReplies(h).length;
    await postComments(h.app, c);
    await waitReplies(before + 1);
    const button = buttonOf(replyTo(h, c.comment_id)[0]!)!;
    const buyer = new Chat(h, psid);
    // the worker records the PSID Graph answered the private reply with
    for (let i = 0; i < 50; i++) {
      const [r] = await query(h.app, 'SELECT recipient_psid FROM notification_queue n JOIN live_comments c ON c.reply_notification_id = n.id WHERE c.comment_id = ?', [c.comment_id]);
      if (r?.recipient_psid) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    await buyer.postback(button.payload, button.title);
    expect(buyer.texts().join('\n')).toMatch(/In your cart from the live sale:\nB1 Red bag ₱500.00 — held for you until/);
    const [line] = await query(h.app, `SELECT ci.quantity FROM cart_items ci JOIN carts c ON c.id = ci.cart_id JOIN users u ON u.id = c.user_id WHERE u.psid = ? AND c.status = 'open'`, [psid]);
    expect(Number(line!.quantity)).toBe(1);
    const [res] = await query(h.app, `SELECT hold_cart_id FROM inventory_reservations WHERE product_id = ? AND status = 'reserved'`, [p]);
    expect(res!.hold_cart_id).not.toBeNull();
    // typing later does not put it in the cart twice
    await buyer.say('hello');
    expect(buyer.texts().filter((t) => t.includes('In your cart from the live sale'))).toHaveLength(1);
    const [cart] = await query(h.app, `SELECT c.id, u.id AS user_id FROM carts c JOIN users u ON u.id = c.user_id WHERE u.psid = ? AND c.status = 'open'`, [psid]);
    const address = { recipient_name: 'Gia', phone: '09171234567', address: '1 Rizal St', city: 'Manila', province: 'Metro Manila', postal_code: '1000' };
    const order = await h.app.orders.createOrder(
      { user_id: Number(cart!.user_id), items: [{ product_id: p, quantity: 1 }], payment_method: 'cod', shipping_address: address },
      { cart_id: Number(cart!.id) },
    );
    expect(order.success).toBe(true);
    const [after] = await query(h.app, `SELECT reserved_quantity, (SELECT status FROM live_claims WHERE comment_id = ?) AS claim FROM products WHERE id = ?`, [c.comment_id, p]);
    expect([Number(after!.reserved_quantity), after!.claim]).toEqual([1, 'checked_out']);
  });

  it('lets an admin start, read and stop a live sale by chat', async () => {
    const p = await makeProduct(h.app.db, { stock: 2, name: 'Green hat', price: '150.00' });
    const admin = new Chat(h, ADMIN);
    const postId = newPost();
    // low-stock alerts of other tests may arrive meanwhile: look for the answer, not the last message
    const said = (re: RegExp) => admin.texts().some((t) => re.test(t));
    await admin.postback('LIVE_SALE', '🎥 Live sale');
    expect(said(/Live sale set-up\. Which post or live video/)).toBe(true);
    await admin.say('not a post');
    expect(said(/does not look like a post id/)).toBe(true);
    await admin.say(`https://www.facebook.com/shop/videos/${postId.split('_')[1]!.replace(/\D/g, '')}99`);
    await admin.say(`Z9=999999999`);
    expect(said(/Could not start the live sale: Product 999999999 does not exist/)).toBe(true);
    await admin.say(`V1=${p}`);
    expect(said(/Live! Buyers can comment "mine V1"/)).toBe(true);
    await admin.say(`live ${postId} H1=${p}/1`);
    expect(said(/Live! Buyers can comment "mine H1"[\s\S]*H1 Green hat: 0\/2 claimed · 0 waiting/)).toBe(true);
    const [sale] = await query(h.app, 'SELECT id FROM live_sales WHERE post_id = ?', [postId]);
    await postComments(h.app, commentValue({ postId, from: 'fb-hal', message: 'mine H1' }));
    // the comment is taken in its own turn: ask for the tally once its claim is held, not before
    await eventually(async () => {
      const [held] = await query(h.app, "SELECT COUNT(*) AS n FROM live_claims WHERE sale_id = ? AND status = 'held'", [sale!.id]);
      return Number(held!.n) >= 1;
    }, 15_000, 'the claim held');
    await admin.say(`live ${sale!.id}`);
    expect(said(/Live sale #\d+ \(live\)[\s\S]*H1 Green hat: 1\/2 claimed/)).toBe(true);
    await admin.say(`live stop ${sale!.id}`);
    expect(said(/Live sale #\d+ stopped/)).toBe(true);
    await h.graph.waitFor((msgs) => msgs.some((m) => m.psid === ADMIN && /ended: 1 comments, 1 claims/.test(m.body.message?.text ?? '')));
    // a customer typing "live …" is not an admin command
    const shopper = new Chat(h);
    await shopper.say(`live stop ${sale!.id}`);
    expect(shopper.lastText()).not.toMatch(/stopped/);
  });
});


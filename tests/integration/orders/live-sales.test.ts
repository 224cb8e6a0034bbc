import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createLiveSales, type LiveSales } from '../../../src/orders/live/live-sales.js';
import type { FeedComment, HoldDue } from '../../../src/orders/live/live-types.js';
import { makeProduct, makeUser } from '../../helpers/factories.js';
import { testConfig } from '../../helpers/test-config.js';
import { engineFixture, inventoryOf, rows } from './engine-fixture.js';

const fx = engineFixture();
afterAll(() => fx.close());

function live(env: Record<string, string> = {}): { live: LiveSales; scheduled: HoldDue[]; published: number[] } {
  const scheduled: HoldDue[] = [];
  const published: number[] = [];
  const config = testConfig({ LIVE_TALLY_INTERVAL_SECONDS: '0', ...env });
  const l = createLiveSales({
    db: fx.db,
    batchDb: fx.batchDb,
    config,
    logger: pino({ level: 'silent' }),
    outbox: { publish: async (r) => void published.push(...r.notificationIds, ...(r.broadcastIds ?? [])) },
    holds: { schedule: async (h) => void scheduled.push(...h) },
    liveVideos: { latest: async () => ({ found: false }) },
  });
  return { live: l, scheduled, published };
}

let n = 0;
const comment = (postId: string, message: string, from = `u${++n}`): FeedComment => ({
  comment_id: `${postId}_c${++n}_${randomUUID().slice(0, 6)}`,
  post_id: postId,
  parent_id: postId,
  from_id: from,
  from_name: `Buyer ${from}`,
  message,
  created_time: null,
});
const post = () => `page_${randomUUID().slice(0, 8)}`;
const replies = (saleId: number) =>
  rows(fx.db, `SELECT n.notification_type, n.payload FROM live_comments c JOIN notification_queue n ON n.id = c.reply_notification_id WHERE c.sale_id = ? ORDER BY c.id`, [saleId]);

describe('setting up a live sale', () => {
  it('creates a live sale whose codes are case-insensitive and unique', async () => {
    const { live: l } = live();
    const p = await makeProduct(fx.db, { stock: 3 });
    const dup = await l.createSale({ post_id: post(), items: [{ code: 'M1', product_id: p }, { code: 'm1', product_id: p }] }, 'test');
    expect(dup).toMatchObject({ success: false, code: 'VALIDATION_FAILED', validation_errors: [{ field: 'items.1.code' }] });
    const missing = await l.createSale({ post_id: post(), items: [{ code: 'M1', product_id: 999_999_999 }] }, 'test');
    expect(missing).toMatchObject({ success: false, code: 'PRODUCT_NOT_FOUND' });
    const postId = post();
    const ok = await l.createSale({ post_id: postId, items: [{ code: 'M1', product_id: p, limit_per_buyer: 2 }] }, 'test');
    expect(ok).toMatchObject({ success: true, status: 'live' });
    const again = await l.createSale({ post_id: postId, items: [{ code: 'M1', product_id: p }] }, 'test');
    expect(again).toMatchObject({ success: false, code: 'SALE_ALREADY_LIVE' });
    const sale = await l.getSale((ok as { id: number }).id);
    expect(sale?.codes).toEqual([expect.objectContaining({ code: 'M1', product_id: p, stock: 3, claimed: 0, waitlist: 0, limit_per_buyer: 2 })]);
  });
});

describe('when buyers claim in comments', () => {
  it('holds stock first come first served, waitlists the rest and never oversells', async () => {
    const { live: l, scheduled } = live();
    const p = await makeProduct(fx.db, { stock: 2 });
    const postId = post();
    const sale = (await l.createSale({ post_id: postId, items: [{ code: 'M1', product_id: p }] }, 'test')) as { id: number };
    const outcomes = [];
    for (const text of ['mine M1', 'M1 mine', 'grab m1', 'how much M1?', 'nice!', 'mine M9']) outcomes.push(await l.handleComment(comment(postId, text)));
    expect(outcomes.map((o) => (o.handled ? `${o.kind}:${o.held}/${o.waitlisted}` : o.reason))).toEqual([
      'claim:1/0', 'claim:1/0', 'claim:0/1', 'price_question:0/0', 'none:0/0', 'unclear:0/0',
    ]);
    expect(await inventoryOf(fx.db, p)).toEqual({ stock: 2, reserved: 2, held: 2 });
    expect(scheduled).toHaveLength(2);
    expect((await l.getSale(sale.id))?.codes[0]).toMatchObject({ stock: 2, available: 0, claimed: 2, waitlist: 1 });
    const r = await replies(sale.id);
    expect(r.map((x) => [x.notification_type, (x.payload as { kind: string }).kind])).toEqual([
      ['live_reply', 'claim'], ['live_reply', 'claim'], ['live_reply', 'claim'], ['live_reply', 'price_question'], ['live_reply', 'unclear'],
    ]);
    expect((r[2]!.payload as { lines: unknown[] }).lines).toEqual([expect.objectContaining({ code: 'M1', outcome: 'waitlisted', position: 1 })]);
  });

  it('changes nothing when a comment is delivered twice', async () => {
    const { live: l } = live();
    const p = await makeProduct(fx.db, { stock: 5 });
    const postId = post();
    await l.createSale({ post_id: postId, items: [{ code: 'A1', product_id: p }] }, 'test');
    const c = comment(postId, 'mine A1 x2');
    expect(await l.handleComment(c)).toMatchObject({ handled: true, held: 1 });
    expect(await l.handleComment(c)).toEqual({ handled: false, reason: 'duplicate' });
    expect(await inventoryOf(fx.db, p)).toEqual({ stock: 5, reserved: 2, held: 2 });
  });

  it('keeps a buyer to the limit per buyer', async () => {
    const { live: l } = live();
    const p = await makeProduct(fx.db, { stock: 5 });
    const postId = post();
    await l.createSale({ post_id: postId, items: [{ code: 'L1', product_id: p, limit_per_buyer: 1 }] }, 'test');
    expect(await l.handleComment(comment(postId, 'mine L1', 'same'))).toMatchObject({ held: 1 });
    expect(await l.handleComment(comment(postId, 'mine L1', 'same'))).toMatchObject({ held: 0, waitlisted: 0 });
    expect(await inventoryOf(fx.db, p)).toMatchObject({ reserved: 1, held: 1 });
  });

  it('ignores comments on posts without a live sale, and after the sale stopped', async () => {
    const { live: l, published } = live();
    const p = await makeProduct(fx.db, { stock: 5 });
    const postId = post();
    const sale = (await l.createSale({ post_id: postId, items: [{ code: 'S1', product_id: p }] }, 'test')) as { id: number };
    expect(await l.handleComment(comment(post(), 'mine S1'))).toEqual({ handled: false, reason: 'no_live_sale' });
    await l.handleComment(comment(postId, 'mine S1'));
    const stopped = await l.stopSale(sale.id, 'test');
    expect(stopped).toMatchObject({ success: true, summary: { comments: 1, claims: 1, codes: [expect.objectContaining({ claimed: 1 })] } });
    expect(await l.stopSale(sale.id, 'test')).toMatchObject({ success: false, code: 'SALE_NOT_LIVE' });
    expect(await l.handleComment(comment(postId, 'mine S1'))).toEqual({ handled: false, reason: 'no_live_sale' });
    const [summary] = await rows(fx.db, `SELECT notification_type FROM notification_queue WHERE id = ?`, [published.at(-1)]);
    expect(summary!.notification_type).toBe('live_summary');
  });
});

describe('when a hold expires', () => {
  it('gives the unit to the next buyer on the waitlist', async () => {
    const { live: l, scheduled } = live({ LIVE_HOLD_MINUTES: '0.001' });
    const p = await makeProduct(fx.db, { stock: 1 });
    const postId = post();
    await l.createSale({ post_id: postId, items: [{ code: 'W1', product_id: p }] }, 'test');
    await l.handleComment(comment(postId, 'mine W1', 'first'));
    await l.handleComment(comment(postId, 'mine W1', 'second'));
    await new Promise((r) => setTimeout(r, 150));
    expect(await l.expireHold(scheduled[0]!.claimId)).toBe('expired');
    expect(await l.expireHold(scheduled[0]!.claimId)).toBe('not_held');
    const claims = await rows(fx.db, `SELECT commenter_id, status FROM live_claims WHERE product_id = ? ORDER BY id`, [p]);
    expect(claims.map((c) => [c.commenter_id, c.status])).toEqual([['first', 'expired'], ['second', 'held']]);
    expect(scheduled).toHaveLength(2);
    expect(await inventoryOf(fx.db, p)).toEqual({ stock: 1, reserved: 1, held: 1 });
  });
});

describe('when the buyer checks out', () => {
  it('puts the held unit in their cart and turns the hold into the order reservation with no gap', async () => {
    const { live: l } = live();
    const p = await makeProduct(fx.db, { stock: 1, price: '350.00' });
    const postId = post();
    await l.createSale({ post_id: postId, items: [{ code: 'C1', product_id: p }] }, 'test');
    const c = comment(postId, 'mine C1', 'buyer-fb');
    const out = await l.handleComment(c);
    const psid = `psid-${randomUUID().slice(0, 8)}`;
    // the notifications worker records the PSID Graph answered the private reply with
    await fx.db.query('UPDATE notification_queue SET recipient_psid = ? WHERE id = ?', [psid, (out as { replyId: number }).replyId]);
    const userId = await makeUser(fx.db, { psid });
    const carted = await l.attachHolds(psid, userId, 'mid.first');
    expect(carted).toEqual([expect.objectContaining({ code: 'C1', quantity: 1, price: '350.00' })]);
    expect(await l.attachHolds(psid, userId, 'mid.first')).toEqual(carted); // the same turn, run again
    expect(await l.attachHolds(psid, userId, 'mid.later')).toEqual([]);
    const [cart] = await rows(fx.db, `SELECT id FROM carts WHERE user_id = ? AND status = 'open'`, [userId]);
    expect(await inventoryOf(fx.db, p)).toEqual({ stock: 1, reserved: 1, held: 1 });
    const order = await fx.orders.createOrder(
      {
        user_id: userId,
        items: [{ product_id: p, quantity: 1 }],
        payment_method: 'cod',
        shipping_address: { recipient_name: 'Ana', phone: '09171234567', address: '1 Rizal St', city: 'Manila', province: 'Metro Manila', postal_code: '1000' },
      },
      { cart_id: Number(cart!.id) },
    );
    expect(order).toMatchObject({ success: true });
    expect(await inventoryOf(fx.db, p)).toEqual({ stock: 1, reserved: 1, held: 1 });
    const claim = await rows(fx.db, `SELECT status FROM live_claims WHERE comment_id = ?`, [c.comment_id]);
    expect(claim[0]!.status).toBe('checked_out');
    const res = await rows(fx.db, `SELECT order_id, status FROM inventory_reservations WHERE product_id = ? ORDER BY id`, [p]);
    expect(res.map((r) => [r.order_id === null ? 'hold' : 'order', r.status])).toEqual([['hold', 'released'], ['order', 'reserved']]);
  });
});

describe('when many buyers check out held units at once', () => {
  it('adopts each cart’s holds inside createOrder’s group commit: every order keeps its unit, none oversold', async () => {
    const { live: l } = live();
    const buyers = 10;
    const p = await makeProduct(fx.db, { stock: buyers, price: '350.00' });
    const postId = post();
    await l.createSale({ post_id: postId, items: [{ code: 'G1', product_id: p }] }, 'test');
    const carts: Array<{ userId: number; cartId: number }> = [];
    for (let i = 0; i < buyers; i++) {
      const out = await l.handleComment(comment(postId, 'mine G1', `group-buyer-${i}`));
      const psid = `psid-${randomUUID().slice(0, 8)}`;
      await fx.db.query('UPDATE notification_queue SET recipient_psid = ? WHERE id = ?', [psid, (out as { replyId: number }).replyId]);
      const userId = await makeUser(fx.db, { psid });
      expect(await l.attachHolds(psid, userId, `mid.${psid}`)).toHaveLength(1);
      const [cart] = await rows(fx.db, `SELECT id FROM carts WHERE user_id = ? AND status = 'open'`, [userId]);
      carts.push({ userId, cartId: Number(cart!.id) });
    }
    expect(await inventoryOf(fx.db, p)).toEqual({ stock: buyers, reserved: buyers, held: buyers });
    // sold out to everyone else: only the holds' own carts may order it
    const results = await Promise.all(
      carts.map(({ userId, cartId }) =>
        fx.orders.createOrder(
          {
            user_id: userId,
            items: [{ product_id: p, quantity: 1 }],
            payment_method: 'cod',
            shipping_address: { recipient_name: 'Ana', phone: '09171234567', address: '1 Rizal St', city: 'Manila', province: 'Metro Manila', postal_code: '1000' },
          },
          { cart_id: cartId },
        ),
      ),
    );
    expect(results.map((r) => r.success)).toEqual(Array(buyers).fill(true));
    expect(await inventoryOf(fx.db, p)).toEqual({ stock: buyers, reserved: buyers, held: buyers });
    const res = await rows(fx.db, `SELECT order_id IS NULL AS hold, status, COUNT(*) AS n FROM inventory_reservations WHERE product_id = ? GROUP BY 1, 2 ORDER BY 1, 2`, [p]);
    expect(res.map((r) => [Number(r.hold) ? 'hold' : 'order', r.status, Number(r.n)])).toEqual([['order', 'reserved', buyers], ['hold', 'released', buyers]]);
    const claims = await rows(fx.db, `SELECT status, COUNT(*) AS n FROM live_claims WHERE product_id = ? GROUP BY status`, [p]);
    expect(claims.map((r) => [r.status, Number(r.n)])).toEqual([['checked_out', buyers]]);
  });
});

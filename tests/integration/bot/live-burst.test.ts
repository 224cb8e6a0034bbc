import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProduct } from '../../helpers/factories.js';
import { postWebhook, type Harness } from './bot-harness.js';
import { commentValue, feedBody, newPost, privateReplies, query, startLive, startSale, textOf } from './live-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startLive();
});
afterAll(() => h.close());

describe('when 500 buyers comment on one code with 5 units within a second', () => {
  it('holds exactly 5, waitlists 495 in arrival order and answers every comment once', async () => {
    const p = await makeProduct(h.app.db, { stock: 5, name: 'Burst dress', price: '350.00' });
    const postId = newPost();
    const sale = await startSale(h.app, postId, [{ code: 'M1', product_id: p }]);
    const comments = Array.from({ length: 500 }, (_, i) => commentValue({ postId, from: `fb-burst-${i}`, message: i % 2 ? 'mine M1' : 'M1 mine po' }));
    const before = privateReplies(h).length;
    // 50 deliveries of 10 comments, all at once (Facebook batches and retries in parallel)
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, d) => postWebhook(h.app, feedBody(...comments.slice(d * 10, d * 10 + 10)))),
    );
    expect(answers.every((a) => a.statusCode === 200)).toBe(true);
    await h.app.bot!.idle();
    await h.graph.waitFor(() => privateReplies(h).length >= before + 500, 60_000);
    const ids = new Set(comments.map((c) => c.comment_id));
    const replies = privateReplies(h).filter((m) => ids.has((m.body.recipient as { comment_id: string }).comment_id));
    expect(replies).toHaveLength(500);
    expect(new Set(replies.map((m) => (m.body.recipient as { comment_id: string }).comment_id)).size).toBe(500);
    const won = replies.filter((m) => textOf(m).startsWith('You got M1'));
    expect(won).toHaveLength(5);
    const claims = await query(h.app, `SELECT status, COUNT(*) AS n FROM live_claims WHERE sale_id = ? GROUP BY status ORDER BY status`, [sale.body.id]);
    expect(Object.fromEntries(claims.map((c) => [c.status, Number(c.n)]))).toEqual({ held: 5, waitlisted: 495 });
    const [inv] = await query(h.app, `SELECT stock_quantity, reserved_quantity, (SELECT SUM(quantity) FROM inventory_reservations WHERE product_id = ? AND status = 'reserved') AS held FROM products WHERE id = ?`, [p, p]);
    expect([Number(inv!.stock_quantity), Number(inv!.reserved_quantity), Number(inv!.held)]).toEqual([5, 5, 5]);
    // waitlist positions follow the order the comments were handled in, 1..495
    const positions = replies.map((m) => /#(\d+) on the waitlist/.exec(textOf(m))?.[1]).filter(Boolean).map(Number).sort((a, b) => a - b);
    expect(positions).toEqual(Array.from({ length: 495 }, (_, i) => i + 1));
  }, 120_000);
});

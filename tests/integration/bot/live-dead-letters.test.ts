import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProduct } from '../../helpers/factories.js';
import { eventually } from '../jobs/jobs-harness.js';
import type { Harness } from './bot-harness.js';
import { commentValue, newPost, postComments, privateReplies, query, replyTo, startLive, startSale } from './live-harness.js';

/**
 * A live comment that cannot be handled — a bug (not retried) or an outage that outlasts
 * TURN_OUTAGE_DEADLINE_MS — is kept in live_comment_dead_letters, counted in /metrics and on the
 * operators' /readyz, and the post's later comments are handled after it. The faults are triggers on
 * this test's own database: a SIGNAL for the bug, errno 1205 (lock wait timeout, an outage) for the outage.
 */
let h: Harness;
beforeAll(async () => {
  h = await startLive({ overrides: { TURN_OUTAGE_DEADLINE_MS: '1500', TURN_RETRY_BACKOFF_MS: '100' } });
  await h.app.db.query(`
    CREATE TRIGGER test_live_comment_faults BEFORE INSERT ON live_comments FOR EACH ROW
    BEGIN
      IF NEW.message = 'mine D1 bug' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'test: a bug in handling'; END IF;
      IF NEW.message = 'mine D1 outage' THEN SIGNAL SQLSTATE 'HY000' SET MYSQL_ERRNO = 1205, MESSAGE_TEXT = 'test: Lock wait timeout exceeded'; END IF;
    END`);
});
afterAll(() => h.close());

describe('when a live comment still fails after its retries', () => {
  it('keeps it in the dead-letter table, visible in metrics and /readyz, and handles the next comments', async () => {
    const p = await makeProduct(h.app.db, { stock: 2, name: 'Dead hat', price: '80.00' });
    const postId = newPost();
    await startSale(h.app, postId, [{ code: 'D1', product_id: p }]);
    const bug = commentValue({ postId, from: 'fb-dead-1', message: 'mine D1 bug' });
    const outage = commentValue({ postId, from: 'fb-dead-2', message: 'mine D1 outage' });
    const fine = commentValue({ postId, from: 'fb-dead-3', message: 'mine D1' });
    await postComments(h.app, bug, outage, fine);
    await eventually(async () => (await h.app.live.deadLetterCount()) === 2, 20_000, 'both comments dead-lettered');

    const rows = await query(h.app, 'SELECT comment_id, post_id, reason, error, comment, failing_since FROM live_comment_dead_letters ORDER BY id');
    expect(rows.map((r) => [r.comment_id, r.post_id, r.reason])).toEqual([
      [bug.comment_id, postId, 'error'],
      [outage.comment_id, postId, 'outage'],
    ]);
    expect(String(rows[0]!.error)).toMatch(/a bug in handling/);
    expect(String(rows[1]!.error)).toMatch(/Lock wait timeout/);
    expect(rows[1]!.failing_since).not.toBeNull();
    const kept = (typeof rows[0]!.comment === 'string' ? JSON.parse(rows[0]!.comment) : rows[0]!.comment) as Record<string, unknown>;
    expect(kept).toMatchObject({ comment_id: bug.comment_id, post_id: postId, from_id: 'fb-dead-1', message: 'mine D1 bug' });

    // the comment behind them in the post's inbox was handled, once the outage one was given up
    await h.graph.waitFor(() => replyTo(h, fine.comment_id).length === 1, 15_000);
    expect(replyTo(h, bug.comment_id)).toHaveLength(0);
    expect(replyTo(h, outage.comment_id)).toHaveLength(0);
    expect(privateReplies(h).length).toBeGreaterThan(0);

    const metrics = (await h.app.internalHttp.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/^quicksell_live_comment_dead_letters 2$/m);
    expect(metrics).toMatch(/^quicksell_live_comment_dead_letters_total 2$/m);
    const ready = (await h.app.internalHttp.inject({ url: '/readyz' })).json() as { details?: Record<string, unknown> };
    expect(ready.details).toMatchObject({ liveCommentDeadLetters: 2 });

    // Facebook redelivering the comment adds nothing
    await postComments(h.app, bug);
    expect(await h.app.live.deadLetterCount()).toBe(2);
  });
});

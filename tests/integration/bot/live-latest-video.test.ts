import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProduct } from '../../helpers/factories.js';
import { Chat, newPsid, type Harness } from './bot-harness.js';
import { commentValue, LIVE_KEY, PAGE_ID, postComments, privateReplies, query, startLive, startSale, textOf } from './live-harness.js';

/**
 * "The Page's latest live video" as a live sale's post: Graph's GET /me/live_videos with broadcast_status
 * ["LIVE"] (the fake Graph lists the videos a test starts), through the API and the admin's chat.
 */
const ADMIN = newPsid();
let h: Harness;
beforeAll(async () => {
  h = await startLive({ adminPsids: [ADMIN] });
});
afterAll(() => h.close());

const auth = { authorization: `Bearer ${LIVE_KEY}` };
const stop = (id: number) => h.app.http!.inject({ method: 'POST', url: `/api/live-sales/${id}/stop`, headers: auth });

describe('when a live sale is set up for the latest live video', () => {
  it('says clearly that the Page is not live, then takes the video broadcasting now and its comments', async () => {
    const p = await makeProduct(h.app.db, { stock: 3, name: 'Live scarf', price: '199.00' });
    const none = await startSale(h.app, 'latest_live', [{ code: 'S1', product_id: p }]);
    expect(none.status).toBe(409);
    expect(none.body).toMatchObject({ success: false, code: 'NO_LIVE_VIDEO', error: expect.stringMatching(/no live video broadcasting now/) });
    expect(await query(h.app, 'SELECT id FROM live_sales WHERE post_id LIKE ?', [`${PAGE_ID}_%`])).toHaveLength(0);

    const older = h.graph.startLiveVideo({ pageId: PAGE_ID, title: 'Ended earlier' });
    h.graph.endLiveVideo(older.id);
    const video = h.graph.startLiveVideo({ pageId: PAGE_ID, title: 'Friday live' });
    const ok = await startSale(h.app, 'latest_live', [{ code: 'S1', product_id: p }]);
    expect(ok.status).toBe(201);
    const postId = `${PAGE_ID}_${video.video!.id}`;
    expect(ok.body).toMatchObject({ success: true, status: 'live', post_id: postId });

    const c = commentValue({ postId, from: 'fb-latest-1', message: 'mine S1' });
    await postComments(h.app, c);
    await h.graph.waitFor(() => privateReplies(h).some((m) => (m.body.recipient as { comment_id?: string }).comment_id === c.comment_id), 15_000);
    const reply = privateReplies(h).find((m) => (m.body.recipient as { comment_id?: string }).comment_id === c.comment_id)!;
    expect(textOf(reply)).toMatch(/You got S1 Live scarf/);
    await stop(ok.body.id);
    h.graph.endLiveVideo(video.id);
  });

  it('lets an admin pick "Latest live video" in the chat dialog or type live latest', async () => {
    const p = await makeProduct(h.app.db, { stock: 2, name: 'Live cap', price: '120.00' });
    const admin = new Chat(h, ADMIN);
    const said = (re: RegExp) => admin.texts().some((t) => re.test(t));
    await admin.say(`live latest C1=${p}`);
    expect(said(/Could not start the live sale: The Page has no live video broadcasting now/)).toBe(true);

    const video = h.graph.startLiveVideo({ pageId: PAGE_ID });
    const postId = `${PAGE_ID}_${video.video!.id}`;
    await admin.postback('LIVE_SALE', '🎥 Live sale');
    await admin.tap(/Latest live video/);
    await admin.say(`C1=${p}`);
    expect(said(new RegExp(`Live! Buyers can comment "mine C1"[\\s\\S]*on ${postId}`))).toBe(true);
    const [sale] = await query(h.app, "SELECT id FROM live_sales WHERE post_id = ? AND status = 'live'", [postId]);
    await stop(Number(sale!.id));

    await admin.say(`live latest C2=${p}/1`);
    expect(said(new RegExp(`Live! Buyers can comment "mine C2"[\\s\\S]*on ${postId}`))).toBe(true);
    h.graph.endLiveVideo(video.id);
  });
});

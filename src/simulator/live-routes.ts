import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { LiveVideo } from '../bot/send-api.js';
import type { FakeGraph } from './fake-graph.js';
import { newLiveVideo } from './live-video-store.js';
import { SIMULATED_COMMENTERS } from './identities.js';
import { buildFeedDelivery, SIMULATOR_PAGE_ID, type SimulatedComment } from './webhook-sender.js';

/**
 * The simulator's Live pane, server side: the Page "goes live" (a live video in the fake Graph API, kept in
 * Redis, which `live latest …` in the admin chat then finds from any process), simulated people comment on
 * it, and every comment is posted to this server's own /webhook as a real, signed Page `feed` delivery — a
 * burst as one delivery of N comments, the way Facebook batches them. Who wrote a comment is remembered (in Redis, so the
 * notifications worker's fake Graph in another process knows it too): the one Private Reply to it lands
 * in that person's chat on the page.
 */
export interface LiveShopView {
  products(): Promise<Array<{ id: number; name: string; price: string; available: number }>>;
  /** the live sale on a post now, with its tally */
  saleOn(postId: string): Promise<{ id: number; codes: Array<{ code: string; name: string; price: string; stock: number; available: number; claimed: number; waitlist: number }> } | null>;
}

export interface LiveRoutesDeps {
  appSecret: string;
  fakeGraph: FakeGraph;
  /** remember who wrote a comment (every process's fake Graph answers the Private Reply with this PSID) */
  rememberCommenter(commentId: string, psid: string): Promise<void>;
  /** late-bound: the catalog and the sales (built after the simulator) */
  shop(): LiveShopView | null;
  logger: Logger;
}

export const MAX_BURST = 500;
const message = z.string().trim().min(1, 'write a comment').max(8000, 'a comment is at most 8000 characters');
const postId = z.string().regex(/^[0-9]{1,40}_[0-9]{1,40}$/, 'post_id must be the live video post id (<page id>_<video id>)');
const commentBody = z.strictObject({ post_id: postId, psid: z.string().min(1).max(64), message });
const burstBody = z.strictObject({ post_id: postId, message, count: z.number().int().min(1).max(MAX_BURST, `at most ${MAX_BURST} comments in a burst`) });

const postOf = (v: LiveVideo) => `${v.from?.id ?? SIMULATOR_PAGE_ID}_${v.video?.id ?? v.id}`;
const bad = (issues: z.core.$ZodIssue[]) => ({ error: issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ') });

export function liveSimulatorRoutes(deps: LiveRoutesDeps): FastifyPluginAsync {
  let seq = 0;
  // the fake Graph's list, which in the simulator is every process's (Redis): the page of any of them shows it
  const current = async () => (await deps.fakeGraph.lives.list()).filter((v) => v.status === 'LIVE').at(-1) ?? null;

  async function state() {
    const video = await current();
    const shop = deps.shop();
    const post = video ? postOf(video) : null;
    return {
      video: video && post ? { id: video.id, post_id: post, title: video.title ?? null } : null,
      commenters: SIMULATED_COMMENTERS.map((c) => ({ name: c.name, psid: c.psid })),
      products: shop ? await shop.products() : [],
      sale: shop && post ? await shop.saleOn(post) : null,
      max_burst: MAX_BURST,
    };
  }

  return async (app) => {
    /** Post comments to /webhook as one signed feed delivery. */
    async function deliver(comments: Array<SimulatedComment & { psid: string }>) {
      for (const c of comments) {
        deps.fakeGraph.registerComment(c.comment_id, c.psid);
        await deps.rememberCommenter(c.comment_id, c.psid);
      }
      const d = buildFeedDelivery(comments, deps.appSecret);
      const res = await app.inject({
        method: 'POST',
        url: '/webhook',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': d.signature },
        payload: d.body,
      });
      const ok = res.statusCode >= 200 && res.statusCode < 300;
      if (!ok) deps.logger.warn({ status: res.statusCode }, 'simulator: webhook refused a simulated feed delivery');
      return { ok, webhookStatus: res.statusCode, comment_ids: comments.map((c) => c.comment_id) };
    }
    const commentId = (post: string) => `${post.split('_')[1]}_${Date.now()}${String(++seq).padStart(4, '0')}`;

    app.get('/simulator/live', async () => state());

    app.post('/simulator/live/video', async () => {
      // one step, so two pages that go live at once leave one video live
      await deps.fakeGraph.lives.add(newLiveVideo({ title: 'Live selling', pageId: SIMULATOR_PAGE_ID }), { endOthers: true });
      return state();
    });

    app.post('/simulator/live/comment', async (req, reply) => {
      const parsed = commentBody.safeParse(req.body);
      if (!parsed.success) return reply.code(400).send(bad(parsed.error.issues));
      const who = SIMULATED_COMMENTERS.find((c) => c.psid === parsed.data.psid);
      if (!who) return reply.code(400).send({ error: 'psid: not one of the simulated commenters' });
      const out = await deliver([{ post_id: parsed.data.post_id, comment_id: commentId(parsed.data.post_id), from: { id: who.fbId, name: who.name }, message: parsed.data.message, psid: who.psid }]);
      return reply.code(out.ok ? 200 : 502).send(out);
    });

    app.post('/simulator/live/burst', async (req, reply) => {
      const parsed = burstBody.safeParse(req.body);
      if (!parsed.success) return reply.code(400).send(bad(parsed.error.issues));
      const { post_id, count } = parsed.data;
      const run = randomUUID().replace(/-/g, '').slice(0, 8);
      const stamp = String(Date.now()).slice(-8); // a new set of people each burst
      const comments = Array.from({ length: count }, (_, i) => ({
        post_id,
        comment_id: commentId(post_id),
        from: { id: `52${stamp}${String(i).padStart(5, '0')}`, name: `Burst buyer ${i + 1}` },
        message: parsed.data.message,
        psid: `burst-${run}-${i + 1}`,
      }));
      const out = await deliver(comments);
      return reply.code(out.ok ? 200 : 502).send({ ...out, count });
    });
  };
}

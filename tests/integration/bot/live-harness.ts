import { randomInt, randomUUID } from 'node:crypto';
import type { RowDataPacket } from 'mysql2';
import type { App } from '../../../src/app.js';
import type { RecordedMessage } from '../../../src/simulator/fake-graph.js';
import { postWebhook, startHarness, type Harness } from './bot-harness.js';

/**
 * Live selling as Facebook drives it: signed Page `feed` webhooks with comments, the Private Replies
 * read back from the fake Graph API, and the REST API with an admin key.
 */
export const LIVE_KEY = 'live-test-admin-key-of-at-least-32-characters'; // ADMIN_API_KEY must be ≥ 32 characters
export const PAGE_ID = 'PAGE';

export const LIVE_ENV: Record<string, string> = {
  ADMIN_API_KEY: LIVE_KEY,
  API_RATE_LIMIT: '0',
  LIVE_TALLY_INTERVAL_SECONDS: '0',
  JOB_BACKOFF_MS: '50',
  OUTBOX_RELAY_INTERVAL_MS: '300',
  SEND_API_RATE_PER_SECOND: '300',
  NOTIFICATION_CONCURRENCY: '50',
  SHUTDOWN_TIMEOUT_MS: '4000',
};

export function startLive(opts: { adminPsids?: string[]; overrides?: Record<string, string> } = {}): Promise<Harness> {
  return startHarness({ workers: true, adminPsids: opts.adminPsids ?? [], overrides: { ...LIVE_ENV, ...opts.overrides } });
}

/**
 * A post id as Facebook writes them: the Page's id, then the post's, all digits (15 here). It was 10
 * characters of a UUID: its hex letters left some ids with two digits or fewer, and a test that pastes a
 * link to the video (`…/videos/<the id's digits>99`, at least 5 digits) then sent a link the bot rightly
 * refused: "lets an admin start, read and stop a live sale by chat" failed in about one run in 60.
 */
export const newPost = () => `${PAGE_ID}_${randomInt(100_000_000, 1_000_000_000)}${randomInt(100_000, 1_000_000)}`;
let seq = 0;
export const newCommentId = (postId: string) => `${postId.split('_')[1]}_${++seq}${randomUUID().slice(0, 6)}`;

export interface CommentSpec {
  postId: string;
  from: string;
  message: string;
  commentId?: string;
  verb?: 'add' | 'edited' | 'remove';
  item?: string;
}

export function commentValue(c: CommentSpec) {
  return {
    from: { id: c.from, name: `Buyer ${c.from}` },
    post_id: c.postId,
    comment_id: c.commentId ?? newCommentId(c.postId),
    parent_id: c.postId,
    message: c.message,
    created_time: Math.floor(Date.now() / 1000),
    item: c.item ?? 'comment',
    verb: c.verb ?? 'add',
  };
}

export const feedBody = (...values: unknown[]) => ({
  object: 'page',
  entry: [{ id: PAGE_ID, time: Date.now(), changes: values.map((value) => ({ field: 'feed', value })) }],
});

/** Post comments (one webhook delivery) and wait until their turns ran. */
export async function postComments(app: App, ...values: unknown[]): Promise<void> {
  const res = await postWebhook(app, feedBody(...values));
  if (res.statusCode !== 200) throw new Error(`webhook answered ${res.statusCode}: ${res.body}`);
  await app.bot!.idle();
}

export async function startSale(app: App, postId: string, items: Array<{ code: string; product_id: number; limit_per_buyer?: number }>) {
  const res = await app.http!.inject({
    method: 'POST',
    url: '/api/live-sales',
    headers: { authorization: `Bearer ${LIVE_KEY}`, 'content-type': 'application/json' },
    payload: { post_id: postId, items },
  });
  return { status: res.statusCode, body: res.json() as { success: boolean; id: number; status: string; code?: string } };
}

export const privateReplies = (h: Harness) => h.graph.messages.filter((m) => 'comment_id' in m.body.recipient);
export const replyTo = (h: Harness, commentId: string): RecordedMessage[] =>
  privateReplies(h).filter((m) => (m.body.recipient as { comment_id: string }).comment_id === commentId);

/** The text of a message, whether plain or a button template. */
export function textOf(m: RecordedMessage): string {
  const msg = m.body.message;
  return msg?.text ?? String((msg?.attachment?.payload as { text?: string } | undefined)?.text ?? '');
}

export function buttonOf(m: RecordedMessage): { title: string; payload: string } | null {
  const buttons = (m.body.message?.attachment?.payload as { buttons?: Array<{ title: string; payload: string }> } | undefined)?.buttons;
  return buttons?.[0] ?? null;
}

export async function query(app: App, sql: string, params: unknown[] = []): Promise<RowDataPacket[]> {
  const [rows] = await app.db.query<RowDataPacket[]>(sql, params);
  return rows;
}

/** The notifications worker has sent the comment's Private Reply and recorded the PSID Graph answered it with. */
export async function waitForReplyPsid(h: Harness, commentId: string, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    const [r] = await query(h.app, 'SELECT n.recipient_psid FROM live_comments c JOIN notification_queue n ON n.id = c.reply_notification_id WHERE c.comment_id = ?', [commentId]);
    if (r?.recipient_psid) return;
    if (Date.now() > until) throw new Error(`no private reply sent to comment ${commentId} in time`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

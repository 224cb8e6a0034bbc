import type { FeedComment } from '../orders/live/live-types.js';

/**
 * Page `feed` webhook changes → new comments. Pure, unit-tested. Only `field: "feed"`,
 * `value.item: "comment"`, `verb: "add"` with a comment id, a post id, an author and text count;
 * edits, removals, reactions, posts and the Page's own comments (author = the Page, entry.id) are dropped.
 * Shape (Webhooks for Pages, feed): entry[].changes[].value = { from: { id, name }, post_id, comment_id,
 * parent_id, message, created_time (unix seconds), item, verb }.
 */
type Json = Record<string, unknown>;
const obj = (v: unknown): Json | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null);

export function parseFeedChange(pageId: string | null, change: unknown): FeedComment | null {
  const ch = obj(change);
  if (!ch || ch.field !== 'feed') return null;
  const v = obj(ch.value);
  if (!v || v.item !== 'comment' || v.verb !== 'add') return null;
  const from = obj(v.from);
  const fromId = str(from?.id);
  const commentId = str(v.comment_id);
  const postId = str(v.post_id);
  const message = typeof v.message === 'string' ? v.message : null;
  if (!fromId || !commentId || !postId || message === null) return null;
  if (pageId && fromId === pageId) return null; // the Page answering in its own comments
  return {
    comment_id: commentId,
    post_id: postId,
    parent_id: str(v.parent_id),
    from_id: fromId,
    from_name: str(from?.name),
    message,
    created_time: typeof v.created_time === 'number' ? v.created_time : null,
  };
}

/** Every new comment of one webhook entry, in order. */
export function parseFeedEntry(entry: unknown): FeedComment[] {
  const e = obj(entry);
  const changes = e?.changes;
  if (!Array.isArray(changes)) return [];
  const pageId = str(e?.id);
  return changes.map((c) => parseFeedChange(pageId, c)).filter((c): c is FeedComment => c !== null);
}

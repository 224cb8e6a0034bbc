import { describe, expect, it } from 'vitest';
import { parseWebhookBody } from '../../../src/bot/events.js';
import { parseFeedEntry } from '../../../src/bot/feed-events.js';

const value = (over: Record<string, unknown> = {}) => ({
  from: { id: '111', name: 'Ana' },
  post_id: 'PAGE_POST',
  comment_id: 'POST_C1',
  parent_id: 'PAGE_POST',
  message: 'mine M1',
  created_time: 1700000000,
  item: 'comment',
  verb: 'add',
  ...over,
});
const entry = (...values: unknown[]) => ({ id: 'PAGE', time: 1, changes: values.map((v) => ({ field: 'feed', value: v })) });

describe('Page feed webhook changes', () => {
  it('turns a new comment into a FeedComment', () => {
    expect(parseFeedEntry(entry(value()))).toEqual([
      { comment_id: 'POST_C1', post_id: 'PAGE_POST', parent_id: 'PAGE_POST', from_id: '111', from_name: 'Ana', message: 'mine M1', created_time: 1700000000 },
    ]);
  });

  it('drops edits, removals, reactions, posts, the Page’s own comments and incomplete values', () => {
    const dropped = [
      value({ verb: 'edited' }),
      value({ verb: 'remove' }),
      value({ item: 'reaction' }),
      value({ item: 'status' }),
      value({ from: { id: 'PAGE', name: 'The shop' } }),
      value({ comment_id: undefined }),
      value({ message: undefined }),
      value({ from: undefined }),
    ];
    expect(parseFeedEntry(entry(...dropped))).toEqual([]);
    expect(parseFeedEntry({ id: 'PAGE', changes: [{ field: 'mention', value: value() }] })).toEqual([]);
  });

  it('queues comments of one post under one inbox key, de-duplicated by comment id, in order', () => {
    const events = parseWebhookBody({ object: 'page', entry: [entry(value(), value({ comment_id: 'POST_C2', message: 'M1 mine' }))] });
    expect(events.map((e) => [e.kind, e.psid, e.dedupeKey, e.text])).toEqual([
      ['comment', 'live:PAGE_POST', 'c:POST_C1', 'mine M1'],
      ['comment', 'live:PAGE_POST', 'c:POST_C2', 'M1 mine'],
    ]);
  });
});
